// RoleHttpServer: the small HTTP server every role runs (/health, /metrics, JSON APIs), with bounded bodies and
// errors as JSON carrying the core error code. Closed to other web sites: a body is JSON only when it says so
// (content-type application/json, which a cross-site form or text/plain POST cannot send without a CORS preflight,
// and no preflight is ever answered), a request from a page of another origin that would change something is
// refused, and routes that change something act only for the holder of a token, as the identity the token names.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ILogger } from '../contracts/logger';
import type { IMetrics } from '../contracts/metrics';
import { ErrorCodes, isMoosengError, MoosengError, type ErrorCode } from '../errors';
import { listenOrExplain } from '../runtime/listen';

/** Largest request body accepted; anything larger is refused with 413 before it is buffered. */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;

/** Who a write route acts as: the identity an API token names (never root unless a token says so). */
export interface HttpIdentity {
  /** The token's name, for logs. */
  name: string;
  uid: number;
  gids: number[];
}

/** An API token (config: a role's `httpApiTokens`) and the identity its holder acts as. */
export interface HttpApiToken extends HttpIdentity {
  token: string;
}

/** Shortest API token accepted in a config: anything shorter is guessable. */
export const MIN_HTTP_API_TOKEN_CHARS = 16;

export interface HttpRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body (POST/PUT), or undefined. */
  body: unknown;
  remoteAddress: string;
  /** The identity of the request's bearer token: set for every `access: 'write'` route, null on the others. */
  identity: HttpIdentity | null;
}

export type HttpReply = { status?: number; json: unknown } | { status?: number; text: string; contentType?: string };

export interface HttpRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Exact path, e.g. /api/v1/chunkservers. */
  path: string;
  /**
   * `write`: the route changes the file system or the cluster; it answers only a request with a valid bearer token
   * (401 otherwise), as the token's identity. Default `read` (open, like /health and /metrics).
   */
  access?: 'read' | 'write';
  handler(request: HttpRequest): HttpReply | Promise<HttpReply>;
}

/** HTTP status for each error code a handler may raise. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCodes.ENOENT:
    case ErrorCodes.ENODATA:
    case ErrorCodes.CHUNK_NOT_FOUND:
      return 404;
    case ErrorCodes.EEXIST:
    case ErrorCodes.ENOTEMPTY:
      return 409;
    case ErrorCodes.EACCES:
    case ErrorCodes.EPERM:
    case ErrorCodes.EROFS:
      return 403;
    case ErrorCodes.NOT_LEADER:
    case ErrorCodes.UNAVAILABLE:
    case ErrorCodes.QUORUM_LOST:
      return 503;
    case ErrorCodes.INTERNAL:
    case ErrorCodes.IO_ERROR:
      return 500;
    default:
      return 400;
  }
}

export interface RoleHttpServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger: ILogger;
  routes: readonly HttpRoute[];
  /** The tokens `access: 'write'` routes accept; none: those routes refuse every request (403, naming the setting). */
  tokens?: readonly HttpApiToken[];
  /** Where the tokens are configured, for the errors that name it (e.g. "master.httpApiTokens"). */
  tokensSetting?: string;
  /** Serve HTTPS with this certificate and key (node.tls, when the role's httpTls is on); absent: plain HTTP. */
  tls?: { cert: Buffer; key: Buffer };
}

export class RoleHttpServer {
  private server: Server | null = null;
  private readonly routes = new Map<string, HttpRoute>();
  /** The tokens' SHA-256 digests, each with its identity: what a request's token is compared with. */
  private readonly tokenDigests: Array<{ digest: Buffer; identity: HttpIdentity }>;

  constructor(private readonly options: RoleHttpServerOptions) {
    for (const r of options.routes) this.routes.set(`${r.method} ${r.path}`, r);
    this.tokenDigests = (options.tokens ?? []).map((t) => ({
      digest: sha256(t.token),
      identity: { name: t.name, uid: t.uid, gids: [...t.gids] },
    }));
  }

  /** Listens; resolves with the port actually bound. Fails with UNAVAILABLE naming the port when it is taken. */
  async start(): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const { tls } = this.options;
    // Every route over HTTPS, /health included: a prober gives curl the CA (--cacert ca.crt), as any client does.
    const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
    server.keepAliveTimeout = 5_000;
    await listenOrExplain(server, this.options.host, this.options.port, 'HTTP port', 'HTTP port (httpPort)');
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = this.routes.get(`${req.method} ${url.pathname}`);
      if (!route) {
        const known = [...this.routes.values()].some((r) => r.path === url.pathname);
        return send(res, known ? 405 : 404, {
          error: {
            code: 'NOT_FOUND',
            message: known ? `${req.method} is not allowed on ${url.pathname}` : `no such endpoint: ${url.pathname}`,
          },
        });
      }
      const changes = req.method !== 'GET';
      if (changes && crossSite(req)) {
        req.resume();
        return send(res, 403, {
          error: {
            code: ErrorCodes.EACCES,
            message: `a request from a page of ${req.headers.origin} is refused: this API takes no cross-site requests`,
          },
        });
      }
      const identity = route.access === 'write' ? this.identify(req) : null;
      if (route.access === 'write' && !identity) {
        req.resume();
        const configured = this.tokenDigests.length > 0;
        const setting = this.options.tokensSetting ?? 'httpApiTokens';
        res.setHeader('www-authenticate', 'Bearer');
        return send(res, configured ? 401 : 403, {
          error: {
            code: ErrorCodes.EACCES,
            message: configured
              ? `${req.method} ${url.pathname} needs "Authorization: Bearer <token>" with a token of ${setting}`
              : `${req.method} ${url.pathname} is off: no API token is configured (${setting})`,
          },
        });
      }
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJsonBody(req) : undefined;
      const reply = await route.handler({
        method: req.method!,
        path: url.pathname,
        query: url.searchParams,
        body,
        remoteAddress: req.socket.remoteAddress ?? '',
        identity,
      });
      if ('json' in reply) return send(res, reply.status ?? 200, reply.json);
      res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'text/plain; charset=utf-8' });
      res.end(reply.text);
    } catch (err) {
      if (err instanceof BodyError) return send(res, err.status, { error: { code: ErrorCodes.INVALID_ARGUMENT, message: err.message } });
      if (isMoosengError(err)) {
        return send(res, httpStatusOf(err.code), { error: { code: err.code, message: err.message, details: err.details } });
      }
      this.options.logger.error('HTTP handler failed', { path: req.url, err });
      send(res, 500, { error: { code: ErrorCodes.INTERNAL, message: 'internal error; see the server log' } });
    }
  }

  /** The identity of the request's bearer token, or null (no token, or one not configured). */
  private identify(req: IncomingMessage): HttpIdentity | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return null;
    // Compared as digests of equal length, in constant time: the answer's timing tells nothing of a token.
    const given = sha256(m[1]!);
    const found = this.tokenDigests.find((t) => timingSafeEqual(given, t.digest));
    return found ? { ...found.identity, gids: [...found.identity.gids] } : null;
  }
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * True when a browser sent the request from a page of another origin: its Origin header (browsers add one to every
 * cross-origin request, and to same-origin ones that are not GET) names a host other than the one asked.
 */
function crossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false; // not a browser (curl, the CLI, a program)
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // "null" (a sandboxed page, a file) or garbage: not this origin
  }
}

/** GET /metrics from IMetrics; 404 with a hint when metrics are off (`plugins.metrics: none`). */
export function metricsRoute(metrics: IMetrics): HttpRoute {
  return {
    method: 'GET',
    path: '/metrics',
    handler: async () => {
      const rendered = await metrics.render();
      if (!rendered) return { status: 404, text: 'metrics are off on this node (plugins.metrics: none)\n' };
      return { text: rendered.body, contentType: rendered.contentType };
    },
  };
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      return reject(
        new BodyError(415, `the request body must be JSON sent as "content-type: application/json" (got ${type ? `"${type}"` : 'none'})`),
      );
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_HTTP_BODY_BYTES) {
      req.resume();
      return reject(new BodyError(413, `request body of ${declared} bytes exceeds the ${MAX_HTTP_BODY_BYTES}-byte limit`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_HTTP_BODY_BYTES) {
        req.destroy();
        reject(new BodyError(413, `request body exceeds the ${MAX_HTTP_BODY_BYTES}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new BodyError(400, 'request body is not valid JSON'));
      }
    });
  });
}

function send(res: ServerResponse, status: number, json: unknown): void {
  const body = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A file-system path from an API request, normalized and checked: absolute, no NUL, no "..", no empty or "."
 * components. Returns its components. Traversal is refused rather than resolved, so a path always means what it says.
 */
export function parseFsPath(path: unknown): string[] {
  if (typeof path !== 'string' || path.length === 0) throw new MoosengError(ErrorCodes.EINVAL, 'path must be a non-empty string');
  if (path.length > 4096) throw new MoosengError(ErrorCodes.ENAMETOOLONG, 'path is longer than 4096 bytes');
  if (!path.startsWith('/')) throw new MoosengError(ErrorCodes.EINVAL, `path must be absolute: ${JSON.stringify(path)}`);
  if (path.includes('\0')) throw new MoosengError(ErrorCodes.EINVAL, 'path must not contain NUL bytes');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new MoosengError(ErrorCodes.EINVAL, `path must not contain "..": ${JSON.stringify(path)}`);
  return parts;
}
