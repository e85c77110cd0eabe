import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RequestHandler } from 'express';
import type { Principal } from '../auth/principal.ts';
import { createMcpServer, type McpDeps } from './server.ts';

/**
 * MCP over Streamable HTTP, stateless: every POST gets its own server bound to the request's
 * principal (authenticated by the same API keys as REST and GraphQL) and its own transport, and
 * answers with JSON. With no session there is no server-to-client stream: GET and DELETE are 405.
 */
export function mcpHttpHandler(deps: McpDeps): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'POST') {
      res.status(405).setHeader('allow', 'POST').json({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; send JSON-RPC requests with POST.' },
        id: null,
      });
      return;
    }
    const server = createMcpServer(deps, res.locals.principal as Principal, res.locals.signal as AbortSignal | undefined);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (err) {
      next(err);
    }
  };
}
