import neo4j from 'neo4j-driver';
const d = neo4j.driver('bolt://127.0.0.1:7687', neo4j.auth.basic('neo4j', process.env.NEO4J_PASSWORD ?? 'password'));
const s = d.session();
const r = await s.run('MATCH (c:Chunk) RETURN count(c) AS n');
console.log(r.records[0].get('n').toString(), new Date().toISOString());
await s.close(); await d.close();
