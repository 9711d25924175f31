// The `client:` config section (a FUSE mount).
import { DEFAULT_FUSE_BUSY_POLL_US, type JsonSchema } from '@mooseng/core';
import { CONTROL_TRANSPORTS, type ControlTransport, DEFAULT_CONTROL_TRANSPORT } from './master-connection';

export interface ClientSection {
  masters: string[];
  mountPoint: string;
  httpPort: number;
  /** The read cache (BlockCache) size; 0 turns it off. */
  cacheSizeMb: number;
  /** Write-back buffer bound; writes block while it is full. */
  writeBufferMb: number;
  /** The write-back cache: random writes merged and sent in the background (see docs/client.md). */
  writeBack: boolean;
  attrTimeoutMs: number;
  entryTimeoutMs: number;
  /** How long the kernel may remember that a name does not exist (0: not at all). */
  negativeTimeoutMs: number;
  /** How long this client answers lookups and stats from its own cache (the change feed drops what others change). */
  metadataCacheMs: number;
  /** An open of a file the kernel holds unchanged keeps the kernel's cached pages (mount-fuse3). */
  keepCache: boolean;
  /** The kernel's writeback cache (mount-fuse3): small writes merged in the page cache, sent by close and fsync. */
  kernelWritebackCache: boolean;
  fuseBusyPollUs: number;
  readOnly: boolean;
  /** How calls to the masters travel: the framed transport, or gRPC (docs/protocol.md). */
  controlTransport: ControlTransport;
  /** The password of this client's export, when it has one (master.exports[].password). */
  password: string;
  /** The directory beneath the export's that the mount shows as its root ('/': the export's own). */
  subdir: string;
}

export const CLIENT_SECTION_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Client: a FUSE mount of the file system',
  additionalProperties: false,
  default: {},
  properties: {
    masters: {
      type: 'array',
      minItems: 1,
      default: ['127.0.0.1:9421'],
      items: { type: 'string', pattern: '^[^\\s:]+:\\d+$' },
      description: 'Control API of the masters, host:port; any one will do, the client finds the leader (env MOOSENG_MASTER_ADDRS)',
    },
    mountPoint: {
      type: 'string',
      default: '',
      format: 'path',
      description: 'Where to mount (env MOOSENG_MOUNT_POINT; the mount command argument wins)',
    },
    httpPort: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      default: 9427,
      description: 'HTTP port: /health, /metrics; 0 picks a free one (env MOOSENG_METRICS_PORT)',
    },
    cacheSizeMb: {
      type: 'integer',
      minimum: 0,
      default: 256,
      description:
        "Read cache in MiB: 64 KiB blocks of chunks shared by all the mount's files, least recently used out first, filled by reads and read-ahead; 0 turns it off (env MOOSENG_CACHE_SIZE_MB)",
    },
    writeBufferMb: {
      type: 'integer',
      minimum: 1,
      default: 64,
      description:
        'Write-back buffer in MiB: with writeBack, the bound on what the whole mount buffers (a writer waits while it is full); without, per handle',
    },
    writeBack: {
      type: 'boolean',
      default: true,
      description:
        'Write-back cache: writes anywhere in a file are buffered, merged and sent in the background, in parallel; fsync, close and O_SYNC/O_DSYNC still wait for every replica; false: each handle buffers one contiguous range (env MOOSENG_WRITE_BACK)',
    },
    attrTimeoutMs: { type: 'integer', minimum: 0, default: 1000, description: 'How long the kernel may cache attributes' },
    entryTimeoutMs: { type: 'integer', minimum: 0, default: 1000, description: 'How long the kernel may cache name lookups' },
    negativeTimeoutMs: {
      type: 'integer',
      minimum: 0,
      default: 1000,
      description: 'How long the kernel may cache "no such name" (0 turns negative entries off)',
    },
    metadataCacheMs: {
      type: 'integer',
      minimum: 0,
      default: 30000,
      description:
        "How long this client answers lookups (names found or missing) and stats from its own cache without asking the master; other clients' changes drop entries at once (the master's change feed). 0: as long as attrTimeoutMs",
    },
    keepCache: {
      type: 'boolean',
      default: true,
      description:
        "An open of a file whose attributes the master shows as the kernel has them keeps the kernel's cached pages of it (mount-fuse3; env MOOSENG_KEEP_CACHE)",
    },
    kernelWritebackCache: {
      type: 'boolean',
      default: false,
      description:
        "The kernel's writeback cache (mount-fuse3): small writes are merged in the page cache and sent in large requests, at the latest by close and fsync; the kernel then owns the size and mtime of files it caches, so another mount's changes to a file this one holds are seen late (env MOOSENG_KERNEL_WRITEBACK_CACHE)",
    },
    fuseBusyPollUs: {
      type: 'integer',
      minimum: 0,
      maximum: 10000,
      default: DEFAULT_FUSE_BUSY_POLL_US,
      description:
        "Microseconds the mount (mount-fuse3) keeps looking for the kernel's next request after answering all it had, instead of sleeping at once: the next request of a busy program comes sooner than a wake-up; costs at most this much CPU per answered batch; 0 turns it off (env MOOSENG_FUSE_BUSY_POLL_US)",
    },
    readOnly: { type: 'boolean', default: false, description: 'Mount read-only' },
    controlTransport: {
      type: 'string',
      enum: [...CONTROL_TRANSPORTS],
      default: DEFAULT_CONTROL_TRANSPORT,
      description:
        "How calls to the masters travel: 'framed' (length-prefixed frames on the masters' control port, tens of microseconds a call) or 'grpc' (gRPC unary calls on the same port, for a master older than the framed transport); the change feed is gRPC either way (env MOOSENG_CONTROL_TRANSPORT)",
    },
    password: {
      type: 'string',
      default: '',
      description:
        "The password of this client's export (master.exports[].password), proven when the session opens; it never travels itself (env MOOSENG_PASSWORD)",
    },
    subdir: {
      type: 'string',
      default: '/',
      pattern: '^/[^,]*$',
      description:
        "The directory the mount shows as its root, a path beneath the export's own directory (MooseFS's mfssubfolder; mount -o subdir=PATH; env MOOSENG_SUBDIR); the master refuses one that is not a directory within the export. Starts with '/', no commas (the mount's fsname carries it)",
    },
  },
};

/** client.subdir as the fsname carries it: "/a/b/" → "/a/b", the export's own directory ("/") → "". */
export function subdirOf(section: Pick<ClientSection, 'subdir'>): string {
  const parts = section.subdir.split('/').filter((p) => p !== '');
  return parts.length === 0 ? '' : `/${parts.join('/')}`;
}
