// Applied idempotently at start, one statement per line group separated by ';'.
CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE;
CREATE CONSTRAINT chunk_id IF NOT EXISTS FOR (c:Chunk) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT kgrag_meta_key IF NOT EXISTS FOR (m:KgragMeta) REQUIRE m.key IS UNIQUE;
CREATE INDEX document_collection IF NOT EXISTS FOR (d:Document) ON (d.collection);
CREATE INDEX chunk_collection IF NOT EXISTS FOR (c:Chunk) ON (c.collection);
CREATE INDEX chunk_document IF NOT EXISTS FOR (c:Chunk) ON (c.documentId);
// The english analyzer stems and drops stop words: BM25 over stems matches "proteins" to "protein".
CREATE FULLTEXT INDEX chunk_fulltext IF NOT EXISTS FOR (c:Chunk) ON EACH [c.text, c.context]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'english' } };
// Chinese, Japanese and Korean have no spaces between words: Lucene's CJK analyzer indexes
// overlapping character bigrams (other words as the standard analyzer does, unstemmed). Neo4j
// takes a second index on the same label and property list for a duplicate whatever its analyzer,
// hence the properties in the other order.
CREATE FULLTEXT INDEX chunk_fulltext_cjk IF NOT EXISTS FOR (c:Chunk) ON EACH [c.context, c.text]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'cjk' } };
// Conversations (bookkeeping, src/conversation): found by id and owner, turns by their conversation.
CREATE CONSTRAINT kgrag_conversation_id IF NOT EXISTS FOR (c:_KgragConversation) REQUIRE c.id IS UNIQUE;
CREATE INDEX kgrag_conversation_owner IF NOT EXISTS FOR (c:_KgragConversation) ON (c.owner);
CREATE CONSTRAINT kgrag_turn_id IF NOT EXISTS FOR (t:_KgragTurn) REQUIRE t.id IS UNIQUE;
CREATE INDEX kgrag_turn_conversation IF NOT EXISTS FOR (t:_KgragTurn) ON (t.conversationId);
