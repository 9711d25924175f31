// fuse3_ll addon: runs a libfuse 3 low-level session on Node's own event loop: the JS thread reads requests from
// /dev/fuse when libuv says it is readable (non-blocking), hands each to JavaScript at once and goes on reading;
// JavaScript answers later by calling the exported reply functions with the request's id. No thread of our own sits
// between the kernel and JavaScript, so a request costs one wake-up (the JS thread's) instead of two.
#define FUSE_USE_VERSION 312
#define NAPI_VERSION 8
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <inttypes.h>
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <uv.h>

// Largest read or write request asked of the kernel (max_pages follows from max_write): 1 MiB.
#define MAX_IO_BYTES (1024 * 1024)
// Requests the kernel may have outstanding in the background (async reads, read-ahead, writeback).
#define MAX_BACKGROUND_REQUESTS 64
// Requests read per readable event before the event loop gets its turn (timers, sockets, replies' promises).
#define MAX_REQUESTS_PER_WAKEUP 256
// stat(2) block size reported: the chunk block, so tools use large buffers.
#define REPORTED_BLKSIZE (64 * 1024)
// Attribute fields in the Float64Array JS passes: ino, mode, nlink, uid, gid, size, rdev, atime, mtime, ctime (ms),
// stored bytes (st_blocks).
#define ATTR_FIELDS 11
// A request id is slot + generation * 2^32, the generation kept below 2^20 so ids stay exact in a JS number.
#define GEN_LIMIT (1u << 20)
// How long destroy waits for notifications still inside the kernel before it leaves the session unfreed.
#define NOTIFY_DRAIN_SECONDS 5

// Operation codes, mirrored in src/native.ts (OP).
enum op {
  OP_LOOKUP = 1, OP_FORGET, OP_GETATTR, OP_SETATTR, OP_READLINK, OP_MKNOD, OP_MKDIR, OP_UNLINK, OP_RMDIR,
  OP_SYMLINK, OP_RENAME, OP_LINK, OP_OPEN, OP_READ, OP_WRITE, OP_FLUSH, OP_RELEASE, OP_FSYNC, OP_OPENDIR,
  OP_READDIR, OP_READDIRPLUS, OP_RELEASEDIR, OP_STATFS, OP_SETXATTR, OP_GETXATTR, OP_LISTXATTR, OP_REMOVEXATTR,
  OP_ACCESS, OP_CREATE, OP_ENDED, OP_GETLK, OP_SETLK, OP_FLOCK, OP_INTERRUPT, OP_FALLOCATE, OP_LSEEK, OP_FSYNCDIR
};

// Lock types as JS numbers them (LockType in @mooseng/core), whatever this platform's F_* and LOCK_* values are.
enum lock_type { LOCK_TYPE_UNLOCK = 0, LOCK_TYPE_READ = 1, LOCK_TYPE_WRITE = 2 };
// The kernel's lock owner (64 bits, more than a JS number holds exactly) travels as hex: 16 digits and a NUL.
#define OWNER_CHARS 17

typedef struct msg msg_t;

// One mounted session. Freed when the JS handle and the poll handle (closed at destroy) have let go of it (refs).
typedef struct mount {
  struct fuse_session *se;
  atomic_int loop_running;  // requests are being read (until the kernel ends the connection or exit())
  napi_env env;
  napi_ref dispatch;  // the JS function every request goes to
  napi_async_context async_context;
  uv_poll_t poll;  // /dev/fuse readable
  int poll_started;
  struct fuse_buf rx;  // where the next request is read into; given away with a write's data (then NULL)
  int rx_lent;  // set by ll_write: the request's data stays in rx.mem, which now belongs to a JS Buffer
  msg_t *deferred, **deferred_tail;  // interrupts, delivered once the request being processed is done with
  int refs;  // JS thread only
  // Requests handed to JS and not answered yet, by slot. Only the JS thread tracks and answers them; the lock keeps
  // the table whole for destroy, which may run while a libuv pool thread still holds a notification.
  pthread_mutex_t lock;
  fuse_req_t *reqs;
  uint32_t *gens;
  uint32_t *free_slots;
  uint32_t nslots, nfree;
  int closed;  // set at destroy: every later reply is refused
  int dont_mask;  // set at init: the kernel leaves the umask to us (create, mknod, mkdir pass it along)
  int locks;   // the file system keeps locks: ask the kernel to send them (else it keeps them local)
  int writeback;  // ask for the kernel's writeback cache (JS then gives the file system no O_APPEND: see fuse3-mount.ts)
  uint64_t spin_ns;  // how long to keep looking for the next request once every request is answered (0: never)
  uv_loop_t *loop;
  // Notifications (on libuv pool threads) hold it shared while they use `se`; destroy takes it exclusive.
  pthread_rwlock_t notify_lock;
} mount_t;

// A request on its way to JS. Strings and data are owned by the message until JS has them.
struct msg {
  msg_t *next;  // in the deferred list
  int op;
  double id;
  uint64_t ino, ino2, fh;
  int has_fh;
  double n1, n2;
  char *s1, *s2;
  char *data;
  size_t data_len;
  void *data_block;  // what to free once JS drops the data: a copy (setxattr, small write) or a receive buffer
  int data_pooled;  // data_block is a receive buffer (RX_BYTES): back to the pool, not free()
  double set[6];  // setattr: mode, uid, gid, size, atime ms, mtime ms; getlk/setlk: start, length, pid; fallocate: length
  uint32_t uid, gid, pid;
  uint32_t umask;  // create, mknod, mkdir when the kernel left it to us; 0 otherwise
  struct fuse_forget_data *forgets;
  size_t nforgets;
};

// ---- receive buffers ----------------------------------------------------------------------------------------------
// A large write's data is not copied: the buffer the request was read into becomes the JS Buffer. Each needs a new
// receive buffer, and a fresh 1 MiB from malloc is fresh pages, which the kernel must fault in and zero while it
// copies the next request in (that zeroing was half the mount's CPU in a sequential write). So the buffers JS lets go
// of are kept, up to RX_POOL_MAX, and read into again. Shared by every session of the process; the finalizers that
// return them run on the JS thread, a lock keeps worker threads' sessions (one per thread) apart.
#define RX_POOL_MAX 16
// Writes up to this size are copied out of the receive buffer (cheaper than giving it away).
#define SMALL_WRITE_BYTES (64 * 1024)
static pthread_mutex_t rx_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static void *rx_pool[RX_POOL_MAX];
static int rx_pool_n;
static double rx_made;  // receive buffers allocated so far (rxBuffersMade, for tests)

// Size of every receive buffer: what libfuse reads into at most (FUSE_MAX_MAX_PAGES pages and its header page).
static size_t rx_bytes(void) { return 256 * (size_t)sysconf(_SC_PAGESIZE) + 0x1000; }

static void *rx_take(void) {
  void *b = NULL;
  pthread_mutex_lock(&rx_pool_lock);
  if (rx_pool_n > 0) b = rx_pool[--rx_pool_n];
  else rx_made++;
  pthread_mutex_unlock(&rx_pool_lock);
  return b ? b : malloc(rx_bytes());
}

static void rx_give(void *b) {
  if (!b) return;
  pthread_mutex_lock(&rx_pool_lock);
  if (rx_pool_n < RX_POOL_MAX) rx_pool[rx_pool_n++] = b, b = NULL;
  pthread_mutex_unlock(&rx_pool_lock);
  free(b);
}

static void mount_unref(mount_t *m) {
  if (--m->refs > 0) return;
  pthread_mutex_destroy(&m->lock);
  pthread_rwlock_destroy(&m->notify_lock);
  rx_give(m->rx.mem);
  free(m->reqs);
  free(m->gens);
  free(m->free_slots);
  free(m);
}

// Records a request and returns its id, or -1 when it cannot be tracked (out of memory, closed).
static double track(mount_t *m, fuse_req_t req) {
  pthread_mutex_lock(&m->lock);
  double id = -1;
  if (!m->closed) {
    if (m->nfree == 0) {
      uint32_t n = m->nslots ? m->nslots * 2 : 256;
      fuse_req_t *reqs = realloc(m->reqs, n * sizeof *reqs);
      if (reqs) m->reqs = reqs;
      uint32_t *gens = reqs ? realloc(m->gens, n * sizeof *gens) : NULL;
      if (gens) m->gens = gens;
      uint32_t *fs = gens ? realloc(m->free_slots, n * sizeof *fs) : NULL;
      if (fs) {
        m->free_slots = fs;
        for (uint32_t i = m->nslots; i < n; i++) {
          m->reqs[i] = NULL;
          m->gens[i] = 0;
          m->free_slots[m->nfree++] = n - 1 - (i - m->nslots);
        }
        m->nslots = n;
      }
    }
    if (m->nfree > 0) {
      uint32_t slot = m->free_slots[--m->nfree];
      m->reqs[slot] = req;
      id = (double)slot + (double)m->gens[slot] * 4294967296.0;
    }
  }
  pthread_mutex_unlock(&m->lock);
  return id;
}

// Takes the request an id names, once: NULL when it was answered already, or the session is gone.
static fuse_req_t take(mount_t *m, double id) {
  if (id < 0) return NULL;
  uint64_t v = (uint64_t)id;
  uint32_t slot = (uint32_t)(v & 0xffffffffu), gen = (uint32_t)(v >> 32);
  fuse_req_t req = NULL;
  pthread_mutex_lock(&m->lock);
  if (!m->closed && slot < m->nslots && m->gens[slot] == gen && m->reqs[slot] != NULL) {
    req = m->reqs[slot];
    m->reqs[slot] = NULL;
    m->gens[slot] = (m->gens[slot] + 1) % GEN_LIMIT;
    m->free_slots[m->nfree++] = slot;
  }
  pthread_mutex_unlock(&m->lock);
  return req;
}

static void free_msg(msg_t *msg) {
  free(msg->s1);
  free(msg->s2);
  if (msg->data_pooled) rx_give(msg->data_block);
  else free(msg->data_block);
  free(msg->forgets);
  free(msg);
}

// ---- requests, read on the JS thread: copy each into a message and hand it to JS ---------------------------------

static void deliver(mount_t *m, msg_t *msg);

static msg_t *new_msg(fuse_req_t req, int op, fuse_ino_t ino) {
  msg_t *msg = calloc(1, sizeof *msg);
  if (!msg) return NULL;
  msg->op = op;
  msg->ino = ino;
  msg->id = -1;
  const struct fuse_ctx *ctx = fuse_req_ctx(req);
  msg->uid = ctx->uid;
  msg->gid = ctx->gid;
  msg->pid = (uint32_t)ctx->pid;
  // Only create, mknod and mkdir carry one; with dont_mask the kernel did not apply it (libfuse 3: fuse_ctx.umask).
  if (((mount_t *)fuse_req_userdata(req))->dont_mask && (op == OP_CREATE || op == OP_MKNOD || op == OP_MKDIR)) msg->umask = ctx->umask;
  return msg;
}

// Hands a request to JS (which answers it later, by id); one that cannot be tracked is answered EIO here.
static void enqueue(fuse_req_t req, msg_t *msg) {
  mount_t *m = fuse_req_userdata(req);
  if (msg) msg->id = track(m, req);
  if (!msg || msg->id < 0) {
    if (msg) free_msg(msg);
    fuse_reply_err(req, EIO);
    return;
  }
  deliver(m, msg);
}

static void set_fh(msg_t *msg, struct fuse_file_info *fi) {
  if (fi) {
    msg->fh = fi->fh;
    msg->has_fh = 1;
  }
}

static void ll_init(void *userdata, struct fuse_conn_info *conn) {
  mount_t *m = userdata;
  conn->max_write = MAX_IO_BYTES;
  conn->max_readahead = MAX_IO_BYTES;
  conn->max_background = MAX_BACKGROUND_REQUESTS;
  if (conn->capable & FUSE_CAP_ASYNC_READ) conn->want |= FUSE_CAP_ASYNC_READ;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) conn->want |= FUSE_CAP_PARALLEL_DIROPS;
  // The master does not clear set-uid bits on write: let the kernel do it with a setattr.
  conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
  // The writeback cache only when asked (client.kernelWritebackCache): the kernel then owns size and mtime of the files it
  // caches (docs/client.md says what that costs).
  if (m->writeback && (conn->capable & FUSE_CAP_WRITEBACK_CACHE)) conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  else conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  // POSIX ACLs: the kernel checks permissions with them (default_permissions is on anyway) and passes
  // system.posix_acl_* as xattrs, which the master keeps in step with the mode and inherits at create. A default
  // ACL replaces the umask, so the kernel must leave the umask to us (DONT_MASK) and the master applies it.
  if ((conn->capable & FUSE_CAP_POSIX_ACL) && (conn->capable & FUSE_CAP_DONT_MASK)) {
    conn->want |= FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
    m->dont_mask = 1;
  }
  // Locks go to the file system, which holds them for every mount of the cluster; without it the kernel keeps them
  // per mount (libfuse asks for both whenever the ops exist, so clear them then).
  if (m->locks && (conn->capable & FUSE_CAP_POSIX_LOCKS)) conn->want |= FUSE_CAP_POSIX_LOCKS;
  else conn->want &= ~FUSE_CAP_POSIX_LOCKS;
  if (m->locks && (conn->capable & FUSE_CAP_FLOCK_LOCKS)) conn->want |= FUSE_CAP_FLOCK_LOCKS;
  else conn->want &= ~FUSE_CAP_FLOCK_LOCKS;
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  msg_t *msg = new_msg(req, OP_LOOKUP, parent);
  if (msg && !(msg->s1 = strdup(name))) msg = (free_msg(msg), NULL);
  enqueue(req, msg);
}

// forget needs no answer: reply at once, and tell JS (without an id) so it keeps the lookup counts.
static void queue_forgets(fuse_req_t req, struct fuse_forget_data *f, size_t n) {
  mount_t *m = fuse_req_userdata(req);
  msg_t *msg = calloc(1, sizeof *msg);
  struct fuse_forget_data *copy = msg ? malloc(n * sizeof *copy) : NULL;
  if (copy) {
    memcpy(copy, f, n * sizeof *copy);
    msg->op = OP_FORGET;
    msg->id = -1;
    msg->forgets = copy;
    msg->nforgets = n;
    deliver(m, msg);
  } else {
    free(msg);
  }
  fuse_reply_none(req);
}

static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  struct fuse_forget_data f = { .ino = ino, .nlookup = nlookup };
  queue_forgets(req, &f, 1);
}

static void ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets) {
  queue_forgets(req, forgets, count);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  msg_t *msg = new_msg(req, OP_GETATTR, ino);
  if (msg) set_fh(msg, fi);
  enqueue(req, msg);
}

static double ms_of(struct timespec ts) { return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6; }

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi) {
  msg_t *msg = new_msg(req, OP_SETATTR, ino);
  if (msg) {
    set_fh(msg, fi);
    msg->n1 = to_set;
    msg->set[0] = attr->st_mode;
    msg->set[1] = attr->st_uid;
    msg->set[2] = attr->st_gid;
    msg->set[3] = (double)attr->st_size;
    msg->set[4] = ms_of(attr->st_atim);
    msg->set[5] = ms_of(attr->st_mtim);
  }
  enqueue(req, msg);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino) { enqueue(req, new_msg(req, OP_READLINK, ino)); }

// A request naming (parent, name) and up to two numbers.
static void named(fuse_req_t req, int op, fuse_ino_t parent, const char *name, double n1, double n2) {
  msg_t *msg = new_msg(req, op, parent);
  if (msg) {
    msg->n1 = n1;
    msg->n2 = n2;
    if (!(msg->s1 = strdup(name))) msg = (free_msg(msg), NULL);
  }
  enqueue(req, msg);
}

static void ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev) { named(req, OP_MKNOD, parent, name, mode, (double)rdev); }
static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) { named(req, OP_MKDIR, parent, name, mode, 0); }
static void ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) { named(req, OP_UNLINK, parent, name, 0, 0); }
static void ll_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) { named(req, OP_RMDIR, parent, name, 0, 0); }
static void ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name) { named(req, OP_REMOVEXATTR, ino, name, 0, 0); }
static void ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size) { named(req, OP_GETXATTR, ino, name, (double)size, 0); }

static void ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name) {
  msg_t *msg = new_msg(req, OP_SYMLINK, parent);
  if (msg && (!(msg->s1 = strdup(name)) || !(msg->s2 = strdup(link)))) msg = (free_msg(msg), NULL);
  enqueue(req, msg);
}

static void ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname, unsigned int flags) {
  msg_t *msg = new_msg(req, OP_RENAME, parent);
  if (msg) {
    msg->ino2 = newparent;
    msg->n1 = flags;
    if (!(msg->s1 = strdup(name)) || !(msg->s2 = strdup(newname))) msg = (free_msg(msg), NULL);
  }
  enqueue(req, msg);
}

static void ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname) {
  msg_t *msg = new_msg(req, OP_LINK, ino);
  if (msg) {
    msg->ino2 = newparent;
    if (!(msg->s1 = strdup(newname))) msg = (free_msg(msg), NULL);
  }
  enqueue(req, msg);
}

// A request on an open file or directory, with up to two numbers.
static void on_handle(fuse_req_t req, int op, fuse_ino_t ino, struct fuse_file_info *fi, double n1, double n2) {
  msg_t *msg = new_msg(req, op, ino);
  if (msg) {
    set_fh(msg, fi);
    msg->n1 = n1;
    msg->n2 = n2;
  }
  enqueue(req, msg);
}

static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) { on_handle(req, OP_OPEN, ino, NULL, fi->flags, 0); }
static void ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) { on_handle(req, OP_OPENDIR, ino, NULL, fi->flags, 0); }
static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) { on_handle(req, OP_READ, ino, fi, (double)size, (double)off); }
// The kernel's lock owner as hex in s1; NULL (and the message dropped) when out of memory.
static msg_t *with_owner(msg_t *msg, uint64_t owner) {
  if (!msg) return NULL;
  if (!(msg->s1 = malloc(OWNER_CHARS))) {
    free_msg(msg);
    return NULL;
  }
  snprintf(msg->s1, OWNER_CHARS, "%016" PRIx64, owner);
  return msg;
}

// flush carries the closing process's lock owner: its POSIX locks on the file go with any of its closes.
static void ll_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  msg_t *msg = new_msg(req, OP_FLUSH, ino);
  if (msg) set_fh(msg, fi);
  enqueue(req, with_owner(msg, fi->lock_owner));
}

// release names the owner of flock locks taken through the file only when there were some (n2 = 1).
static void ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  msg_t *msg = new_msg(req, OP_RELEASE, ino);
  if (msg) {
    set_fh(msg, fi);
    msg->n1 = fi->flags;
    msg->n2 = fi->flock_release;
  }
  enqueue(req, fi->flock_release ? with_owner(msg, fi->lock_owner) : msg);
}
static void ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) { on_handle(req, OP_FSYNC, ino, fi, datasync, 0); }
static void ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) { on_handle(req, OP_READDIR, ino, fi, (double)size, (double)off); }
static void ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) { on_handle(req, OP_READDIRPLUS, ino, fi, (double)size, (double)off); }
static void ll_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) { on_handle(req, OP_RELEASEDIR, ino, fi, 0, 0); }
static void ll_statfs(fuse_req_t req, fuse_ino_t ino) { on_handle(req, OP_STATFS, ino, NULL, 0, 0); }
static void ll_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) { on_handle(req, OP_LISTXATTR, ino, NULL, (double)size, 0); }
static void ll_access(fuse_req_t req, fuse_ino_t ino, int mask) { on_handle(req, OP_ACCESS, ino, NULL, mask, 0); }

// The masters may acknowledge a directory change before the leader's fsync (replication-raft sync: quorum-memory):
// fsyncdir waits for their durability barrier, in JS.
static void ll_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) { on_handle(req, OP_FSYNCDIR, ino, fi, datasync, 0); }

static void ll_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, struct fuse_file_info *fi) {
  msg_t *msg = new_msg(req, OP_FALLOCATE, ino);
  if (msg) {
    set_fh(msg, fi);
    msg->n1 = mode;
    msg->n2 = (double)offset;
    msg->set[0] = (double)length;
  }
  enqueue(req, msg);
}

// Only SEEK_DATA and SEEK_HOLE come here; the kernel does the others itself.
static void ll_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi) { on_handle(req, OP_LSEEK, ino, fi, (double)off, whence); }

static void ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi) { named(req, OP_CREATE, parent, name, mode, fi->flags); }

// A large write's data lies in our receive buffer (m->rx): instead of copying it, the whole buffer goes with the
// message and becomes the JS Buffer's memory; the next request is read into another from the pool. A small one is
// copied (a copy of a few KiB costs less than a buffer given away).
static void ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  mount_t *m = fuse_req_userdata(req);
  msg_t *msg = new_msg(req, OP_WRITE, ino);
  if (msg) {
    set_fh(msg, fi);
    msg->n2 = (double)off;
    msg->data_len = size;
    if (size <= SMALL_WRITE_BYTES) {
      if ((msg->data = msg->data_block = malloc(size ? size : 1))) memcpy(msg->data, buf, size);
      else msg = (free_msg(msg), NULL);
    } else {
      msg->data = (char *)buf;
      msg->data_block = m->rx.mem;
      msg->data_pooled = 1;
      m->rx_lent = 1;
    }
  }
  enqueue(req, msg);
}

static void ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags) {
  msg_t *msg = new_msg(req, OP_SETXATTR, ino);
  if (msg) {
    msg->n1 = flags;
    msg->data_len = size;
    if (!(msg->s1 = strdup(name)) || !(msg->data = msg->data_block = malloc(size ? size : 1))) msg = (free_msg(msg), NULL);
    else memcpy(msg->data, value, size);
  }
  enqueue(req, msg);
}

// ---- locks ---------------------------------------------------------------------------------------------------------

static double lock_type_of(short l_type) {
  return l_type == F_RDLCK ? LOCK_TYPE_READ : l_type == F_WRLCK ? LOCK_TYPE_WRITE : LOCK_TYPE_UNLOCK;
}

// FUSE INTERRUPT of a waiting lock request (a signal reached the waiter): tell JS, which ends the wait with EINTR.
// libfuse calls this with the request's lock held (and JS might answer the request at once, freeing it), so the
// message waits in m->deferred until the request being processed is done with. `data` is the request's id.
static void on_interrupt(fuse_req_t req, void *data) {
  mount_t *m = fuse_req_userdata(req);
  msg_t *msg = calloc(1, sizeof *msg);
  if (!msg) return;  // the wait then ends only when the lock is granted
  msg->op = OP_INTERRUPT;
  msg->id = (double)(uintptr_t)data;
  *m->deferred_tail = msg;
  m->deferred_tail = &msg->next;
}

// Hands JS a request that may wait for long (a lock), then registers its interrupt callback: JS answers only from a
// later turn of the event loop (the reply follows an await), so the request is still there to register on. An
// interrupt that came first makes libfuse call the callback at once (deferred as above: JS sees it after).
static void enqueue_interruptible(fuse_req_t req, msg_t *msg) {
  mount_t *m = fuse_req_userdata(req);
  double id = msg ? track(m, req) : -1;
  if (id < 0) {
    if (msg) free_msg(msg);
    fuse_reply_err(req, EIO);
    return;
  }
  msg->id = id;
  deliver(m, msg);
  fuse_req_interrupt_func(req, on_interrupt, (void *)(uintptr_t)id);
}

// getlk/setlk: n1 the lock type (enum lock_type), n2 whether to wait, set[] = start, length (0: to the end), pid.
static msg_t *lock_msg(fuse_req_t req, int op, fuse_ino_t ino, struct fuse_file_info *fi, const struct flock *lock, int sleep) {
  msg_t *msg = new_msg(req, op, ino);
  if (msg) {
    set_fh(msg, fi);
    msg->n1 = lock_type_of(lock->l_type);
    msg->n2 = sleep;
    msg->set[0] = (double)lock->l_start;
    msg->set[1] = (double)lock->l_len;
    msg->set[2] = (double)lock->l_pid;
  }
  return with_owner(msg, fi->lock_owner);
}

static void ll_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock) {
  enqueue(req, lock_msg(req, OP_GETLK, ino, fi, lock, 0));
}

static void ll_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock, int sleep) {
  msg_t *msg = lock_msg(req, OP_SETLK, ino, fi, lock, sleep);
  if (sleep) enqueue_interruptible(req, msg);
  else enqueue(req, msg);
}

// flock: n1 the lock type, n2 whether to wait (no LOCK_NB); the owner is the open file description's.
static void ll_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op) {
  msg_t *msg = new_msg(req, OP_FLOCK, ino);
  int sleep = !(op & LOCK_NB);
  if (msg) {
    set_fh(msg, fi);
    msg->n1 = (op & LOCK_EX) ? LOCK_TYPE_WRITE : (op & LOCK_SH) ? LOCK_TYPE_READ : LOCK_TYPE_UNLOCK;
    msg->n2 = sleep;
  }
  msg = with_owner(msg, fi->lock_owner);
  if (sleep) enqueue_interruptible(req, msg);
  else enqueue(req, msg);
}

static const struct fuse_lowlevel_ops LL_OPS = {
  .init = ll_init, .lookup = ll_lookup, .forget = ll_forget, .forget_multi = ll_forget_multi, .getattr = ll_getattr,
  .setattr = ll_setattr, .readlink = ll_readlink, .mknod = ll_mknod, .mkdir = ll_mkdir, .unlink = ll_unlink,
  .rmdir = ll_rmdir, .symlink = ll_symlink, .rename = ll_rename, .link = ll_link, .open = ll_open, .read = ll_read,
  .write = ll_write, .flush = ll_flush, .release = ll_release, .fsync = ll_fsync, .opendir = ll_opendir,
  .readdir = ll_readdir, .readdirplus = ll_readdirplus, .releasedir = ll_releasedir, .fsyncdir = ll_fsyncdir,
  .statfs = ll_statfs, .setxattr = ll_setxattr, .getxattr = ll_getxattr, .listxattr = ll_listxattr,
  .removexattr = ll_removexattr, .access = ll_access, .create = ll_create, .getlk = ll_getlk, .setlk = ll_setlk,
  .flock = ll_flock, .fallocate = ll_fallocate, .lseek = ll_lseek,
};

// ---- JS thread: hand messages to JavaScript ------------------------------------------------------------------------

// A write's (or setxattr's) data Buffer was collected: its block goes back (a receive buffer to the pool), and V8 is
// told the memory is gone (see call_js).
static void free_copied_data(napi_env env, void *data, void *hint) {
  (void)data;
  int64_t ignored;
  napi_adjust_external_memory(env, -(int64_t)(size_t)hint, &ignored);
  free(data);
}

static void free_pooled_data(napi_env env, void *data, void *hint) {
  (void)data;
  int64_t ignored;
  napi_adjust_external_memory(env, -(int64_t)rx_bytes(), &ignored);
  rx_give(hint);
}

// ---- receive buffers lent to JS with a write ------------------------------------------------------------------------
// A write's data is lent to the file system for the call only (IFileSystemOperations.write; fuse-native reuses its
// buffer after the answer anyway), so once JS's write is done it gives the receive buffer back at once (releaseData),
// instead of when the collector finds the Buffer: that wait left the pool empty, every write read into a fresh
// malloc (pages faulted in and zeroed: clear_page was 17 % of the mount's CPU in a sequential write) and the memory
// V8 was told of set off major collections. The Buffer and the lease JS holds each keep the record alive; the
// buffer goes back to the pool once, by whichever comes first: releaseData, or the Buffer's finalizer.
typedef struct {
  void *block;   // the receive buffer, back to the pool when returned
  int returned;  // given back already (by releaseData): the finalizer then only drops its reference
  int refs;      // the Buffer's finalizer and the lease's finalizer
} lent_t;

static void lent_return(napi_env env, lent_t *l) {
  if (l->returned) return;
  l->returned = 1;
  int64_t ignored;
  napi_adjust_external_memory(env, -(int64_t)rx_bytes(), &ignored);
  rx_give(l->block);
  l->block = NULL;
}

static void lent_unref(lent_t *l) {
  if (--l->refs == 0) free(l);
}

static void free_lent_data(napi_env env, void *data, void *hint) {
  (void)data;
  lent_return(env, hint);
  lent_unref(hint);
}

static void free_lease(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  lent_unref(data);
}

static napi_value num(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static napi_value str_or_undefined(napi_env env, const char *s) {
  napi_value out;
  if (s) napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &out);
  else napi_get_undefined(env, &out);
  return out;
}

// A throw out of dispatch (it promises none) is the process's uncaught exception, not something to carry on from.
static void call(napi_env env, napi_value js_cb, size_t argc, const napi_value *argv) {
  napi_value undefined, err;
  napi_get_undefined(env, &undefined);
  if (napi_call_function(env, undefined, js_cb, argc, argv, NULL) == napi_pending_exception &&
      napi_get_and_clear_last_exception(env, &err) == napi_ok)
    napi_fatal_exception(env, err);
}

// dispatch(op, id, ino, ino2, fh (-1: none), n1, n2, s1, s2 | data | setattr values, uid, gid, pid, umask)
static void call_js(napi_env env, napi_value js_cb, mount_t *m, msg_t *msg) {
  if (m->closed) {
    free_msg(msg);
    return;
  }
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  if (msg->op == OP_INTERRUPT) {
    napi_value argv[7] = { num(env, OP_INTERRUPT), num(env, msg->id), num(env, 0), num(env, 0), num(env, -1), num(env, 0), num(env, 0) };
    call(env, js_cb, 7, argv);
    free_msg(msg);
    return;
  }
  if (msg->op == OP_FORGET) {
    for (size_t i = 0; i < msg->nforgets; i++) {
      napi_value argv[7] = { num(env, OP_FORGET), num(env, -1), num(env, (double)msg->forgets[i].ino), num(env, 0), num(env, -1), num(env, (double)msg->forgets[i].nlookup), num(env, 0) };
      call(env, js_cb, 7, argv);
    }
    free_msg(msg);
    return;
  }
  napi_value last, lease;
  napi_get_undefined(env, &lease);
  if (msg->data) {
    // The block the data lies in becomes the Buffer's memory, freed when JS drops it (or, a receive buffer, given
    // back when JS says it is done: lent_t). V8 is told of about a request's worth, so that it collects these Buffers
    // before they pile up (it sees only their small handles).
    int64_t ignored;
    size_t held = msg->data_pooled ? rx_bytes() : msg->data_len;
    lent_t *l = msg->data_pooled ? malloc(sizeof *l) : NULL;
    napi_status made;
    if (l) {
      *l = (lent_t){ .block = msg->data_block, .returned = 0, .refs = 1 };
      made = napi_create_external_buffer(env, msg->data_len, msg->data, free_lent_data, l, &last);
      if (made != napi_ok) free(l);
      else if (napi_create_external(env, l, free_lease, NULL, &lease) == napi_ok) l->refs++;
    } else {
      made = msg->data_pooled ? napi_create_external_buffer(env, msg->data_len, msg->data, free_pooled_data, msg->data_block, &last)
                              : napi_create_external_buffer(env, msg->data_len, msg->data, free_copied_data, (void *)held, &last);
    }
    if (made == napi_ok) {
      msg->data_block = NULL;
      napi_adjust_external_memory(env, (int64_t)held, &ignored);
    } else {
      napi_get_undefined(env, &last);
    }
    msg->data = NULL;
  } else if (msg->op == OP_SETATTR || msg->op == OP_GETLK || msg->op == OP_SETLK || msg->op == OP_FALLOCATE) {
    uint32_t n = msg->op == OP_SETATTR ? 6 : msg->op == OP_FALLOCATE ? 1 : 3;
    napi_create_array_with_length(env, n, &last);
    for (uint32_t i = 0; i < n; i++) napi_set_element(env, last, i, num(env, msg->set[i]));
  } else {
    last = str_or_undefined(env, msg->s2);
  }
  napi_value argv[14] = {
    num(env, msg->op), num(env, msg->id), num(env, (double)msg->ino), num(env, (double)msg->ino2),
    num(env, msg->has_fh ? (double)msg->fh : -1), num(env, msg->n1), num(env, msg->n2), str_or_undefined(env, msg->s1),
    last, num(env, msg->uid), num(env, msg->gid), num(env, msg->pid), num(env, msg->umask), lease,
  };
  call(env, js_cb, 14, argv);
  free_msg(msg);
}

// Every message goes to JS at once, in a handle scope of its own (a batch of requests makes many values).
static void deliver(mount_t *m, msg_t *msg) {
  napi_env env = m->env;
  napi_handle_scope scope;
  napi_value js_cb;
  if (napi_open_handle_scope(env, &scope) != napi_ok) {
    free_msg(msg);
    return;
  }
  if (napi_get_reference_value(env, m->dispatch, &js_cb) == napi_ok && js_cb) call_js(env, js_cb, m, msg);
  else free_msg(msg);
  napi_close_handle_scope(env, scope);
}

static void deliver_deferred(mount_t *m) {
  while (m->deferred) {
    msg_t *msg = m->deferred;
    m->deferred = msg->next;
    if (!m->deferred) m->deferred_tail = &m->deferred;
    deliver(m, msg);
  }
}

// The kernel ended the connection (unmounted, aborted) or exit() was asked: stop reading and tell JS, which may not
// have asked for it (an unmount from outside: fusermount3 -u, a connection abort).
static void loop_ended(mount_t *m) {
  if (!atomic_load(&m->loop_running)) return;
  atomic_store(&m->loop_running, 0);
  uv_poll_stop(&m->poll);
  msg_t *msg = calloc(1, sizeof *msg);
  if (msg) {
    msg->op = OP_ENDED;
    msg->id = -1;
    deliver(m, msg);
  }
}

// Reads and processes what the kernel has queued (up to MAX_REQUESTS_PER_WAKEUP), every request going to JS at once.
// They run in one callback scope, so the promises JS settles meanwhile (most replies) run when the batch is done,
// not between two reads. Returns how many requests were read; -1 once the connection ended.
static int read_batch(mount_t *m, int status) {
  napi_env env = m->env;
  napi_handle_scope hs;
  napi_callback_scope cs;
  napi_value resource;
  int n = 0;
  if (napi_open_handle_scope(env, &hs) != napi_ok) return -1;
  napi_create_object(env, &resource);
  if (napi_open_callback_scope(env, resource, m->async_context, &cs) != napi_ok) {
    napi_close_handle_scope(env, hs);
    return -1;
  }
  for (; n < MAX_REQUESTS_PER_WAKEUP && atomic_load(&m->loop_running); n++) {
    // 0: the session exited or the kernel ended it (ENODEV); -EAGAIN: nothing more for now; -EINTR: try again later.
    // Every receive buffer is one of ours (rx_bytes, at least what libfuse reads into), never one libfuse sized.
    if (!m->rx.mem && !(m->rx.mem = rx_take())) break;  // out of memory: the request waits for the next wake-up
    int res = status < 0 ? 0 : fuse_session_receive_buf(m->se, &m->rx);
    if (res == -EAGAIN || res == -EINTR) break;
    if (res <= 0 || fuse_session_exited(m->se)) {
      loop_ended(m);
      n = -1;
      break;
    }
    m->rx_lent = 0;
    fuse_session_process_buf(m->se, &m->rx);
    if (m->rx_lent) m->rx.mem = NULL;  // a write's Buffer has it now: the next request gets a new buffer
    deliver_deferred(m);
  }
  napi_close_callback_scope(env, cs);
  napi_close_handle_scope(env, hs);
  return n;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// Requests JS holds unanswered (the JS thread is the only one that tracks and takes them).
static uint32_t unanswered(const mount_t *m) { return m->nslots - m->nfree; }

// How long the look for the next request may go on from now: spin_ns, less when a timer is due sooner.
static uint64_t look_until(mount_t *m) {
  uint64_t now = now_ns(), until = now + m->spin_ns;
  int timer_ms = uv_backend_timeout(m->loop);  // -1: no timer; 0: one is due
  if (timer_ms >= 0 && now + (uint64_t)timer_ms * 1000000u < until) until = now + (uint64_t)timer_ms * 1000000u;
  return until;
}

// /dev/fuse is readable: read the batch. Then, when JS answered every request from the batch itself (a cached stat,
// a lookup, an in-memory write), the program that sent them is most likely about to send the next one: look for it
// for up to spin_ns before going back to sleep in epoll. A sleep and a wake-up per request is most of what a request
// costs (in a VM each is an exit to the hypervisor); looking again costs a few non-blocking polls. The look never
// delays other work: it stops at once when anything else is ready on the event loop (its epoll fd is readable: a
// socket, a pipe, a signal), before the next timer is due, and whenever a request stays unanswered (JS waits on the
// network: nothing comes back sooner by looking).
static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  mount_t *m = handle->data;
  if (read_batch(m, status) <= 0 || m->spin_ns == 0) return;
  struct pollfd fds[2] = {{.fd = fuse_session_fd(m->se), .events = POLLIN}, {.fd = uv_backend_fd(m->loop), .events = POLLIN}};
  uint64_t until = look_until(m);
  while (atomic_load(&m->loop_running) && unanswered(m) == 0 && now_ns() < until) {
    fds[0].revents = fds[1].revents = 0;
    if (poll(fds, 2, 0) < 0) break;
    if (fds[0].revents) {
      if (read_batch(m, 0) < 0) break;
      until = look_until(m);
    } else if (fds[1].revents) {
      break;
    }
  }
}

static void poll_closed(uv_handle_t *handle) { mount_unref(handle->data); }

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  mount_unref(data);
}

// ---- exports ------------------------------------------------------------------------------------------------------

#define THROW(env, text) (napi_throw_error((env), NULL, (text)), (napi_value)NULL)

static mount_t *get_mount(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

// mount(mountPoint, args: string[], dispatch, locks?: boolean, writeback?: boolean) -> handle. `args` are libfuse's
// (e.g. "-o", "fsname=..."); `locks`: the file system keeps file locks (getlk, setlk and flock requests are sent to
// JS); `writeback`: ask for the kernel's writeback cache.
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return THROW(env, "mount(mountPoint, args, dispatch)");
  char mountpoint[4096];
  size_t len;
  if (napi_get_value_string_utf8(env, argv[0], mountpoint, sizeof mountpoint, &len) != napi_ok) return THROW(env, "mount: mountPoint must be a string");
  uint32_t nargs = 0;
  napi_get_array_length(env, argv[1], &nargs);
  char **fargv = calloc(nargs + 2, sizeof *fargv);
  if (!fargv) return THROW(env, "mount: out of memory");
  fargv[0] = strdup("mooseng");
  for (uint32_t i = 0; i < nargs; i++) {
    napi_value e;
    napi_get_element(env, argv[1], i, &e);
    char buf[4096];
    napi_get_value_string_utf8(env, e, buf, sizeof buf, &len);
    fargv[i + 1] = strdup(buf);
  }
  struct fuse_args fargs = FUSE_ARGS_INIT((int)nargs + 1, fargv);

  mount_t *m = calloc(1, sizeof *m);
  if (!m) {
    fuse_opt_free_args(&fargs);
    return THROW(env, "mount: out of memory");
  }
  pthread_mutex_init(&m->lock, NULL);
  pthread_rwlock_init(&m->notify_lock, NULL);
  m->refs = 1;  // the JS handle; the poll handle takes the second below
  m->env = env;
  m->deferred_tail = &m->deferred;
  bool locks = false;
  if (argc > 3) napi_get_value_bool(env, argv[3], &locks);
  m->locks = locks;
  bool writeback = false;
  if (argc > 4) napi_get_value_bool(env, argv[4], &writeback);
  m->writeback = writeback;
  double spin_us = 0;
  if (argc > 5) napi_get_value_double(env, argv[5], &spin_us);
  m->spin_ns = spin_us > 0 ? (uint64_t)(spin_us * 1000.0) : 0;
  napi_value name, result = NULL;
  napi_create_string_utf8(env, "mooseng-fuse3", NAPI_AUTO_LENGTH, &name);
  uv_loop_t *loop = NULL;
  if (napi_create_reference(env, argv[2], 1, &m->dispatch) != napi_ok ||
      napi_async_init(env, NULL, name, &m->async_context) != napi_ok || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    result = THROW(env, "mount: dispatch must be a function");
  } else if (!(m->se = fuse_session_new(&fargs, &LL_OPS, sizeof LL_OPS, m))) {
    result = THROW(env, "fuse_session_new failed (bad mount options?)");
  } else if (fuse_session_mount(m->se, mountpoint) != 0) {
    fuse_session_destroy(m->se);
    m->se = NULL;
    result = THROW(env, "fuse_session_mount failed (is /dev/fuse there and may this user mount?)");
  } else {
    // Non-blocking, so the JS thread never waits in read(2); libuv tells it when a request is there. The poll handle
    // is referenced: a mounted file system keeps its process alive until destroy.
    int fd = fuse_session_fd(m->se);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    m->poll.data = m;
    m->loop = loop;
    if (uv_poll_init(loop, &m->poll, fd) != 0 || uv_poll_start(&m->poll, UV_READABLE, on_readable) != 0) {
      fuse_session_unmount(m->se);
      fuse_session_destroy(m->se);
      m->se = NULL;
      result = THROW(env, "mount: cannot watch /dev/fuse");
    } else {
      m->poll_started = 1;
      m->refs++;
      atomic_store(&m->loop_running, 1);
    }
  }
  fuse_opt_free_args(&fargs);
  if (m->se) {
    napi_create_external(env, m, handle_finalize, NULL, &result);
  } else {
    if (m->dispatch) napi_delete_reference(env, m->dispatch);
    if (m->async_context) napi_async_destroy(env, m->async_context);
    m->closed = 1;
    mount_unref(m);
  }
  return result;
}

// exit(handle): asks the loop to stop at the next request it reads (the unmount then ends it).
static napi_value js_exit(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  mount_t *m = argc ? get_mount(env, argv[0]) : NULL;
  if (m && m->se) fuse_session_exit(m->se);
  return NULL;
}

// running(handle) -> whether requests are still read (the kernel has not ended the connection).
static napi_value js_running(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  mount_t *m = argc ? get_mount(env, argv[0]) : NULL;
  napi_get_boolean(env, m && atomic_load(&m->loop_running), &out);
  return out;
}

static napi_value done(napi_env env, int res);

// destroy(handle) -> whether the session was freed: once reading has ended, answers what JS still holds EIO
// (harmless: the connection is gone), stops watching /dev/fuse and frees the session. Every reply after this returns
// false. A notification stuck in the kernel past NOTIFY_DRAIN_SECONDS (it waits on a page whose read can no longer
// be answered) still uses the session: then it is left allocated, not freed under it.
static napi_value js_destroy(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  mount_t *m = argc ? get_mount(env, argv[0]) : NULL;
  if (!m || !m->se) return done(env, 0);
  if (atomic_load(&m->loop_running)) return THROW(env, "destroy: requests are still being read (unmount first)");
  pthread_mutex_lock(&m->lock);
  m->closed = 1;
  for (uint32_t i = 0; i < m->nslots; i++) {
    if (m->reqs[i]) fuse_reply_err(m->reqs[i], EIO);
    m->reqs[i] = NULL;
  }
  pthread_mutex_unlock(&m->lock);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += NOTIFY_DRAIN_SECONDS;
  if (pthread_rwlock_timedwrlock(&m->notify_lock, &until) != 0) return done(env, -1);
  // libuv must let go of the descriptor before the session closes it; the poll's reference goes when it has.
  if (m->poll_started) uv_close((uv_handle_t *)&m->poll, poll_closed);
  m->poll_started = 0;
  fuse_session_unmount(m->se);
  fuse_session_destroy(m->se);
  m->se = NULL;
  pthread_rwlock_unlock(&m->notify_lock);
  napi_delete_reference(env, m->dispatch);
  m->dispatch = NULL;
  napi_async_destroy(env, m->async_context);
  m->async_context = NULL;
  return done(env, 0);
}

// ---- replies (JS thread): each returns true when the request was still waiting and the answer went out ----------

static mount_t *reply_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, fuse_req_t *req) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  *req = NULL;
  if (argc < 2) return NULL;
  mount_t *m = get_mount(env, argv[0]);
  double id;
  if (!m || napi_get_value_double(env, argv[1], &id) != napi_ok) return NULL;
  *req = take(m, id);
  return m;
}

static napi_value done(napi_env env, int res) {
  napi_value out;
  napi_get_boolean(env, res == 0, &out);
  return out;
}

static double dbl(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

static void to_timespec(double ms, struct timespec *ts) {
  double s = ms / 1000.0;
  ts->tv_sec = (time_t)(s < 0 ? s - 1 : s);
  if (ms >= 0) ts->tv_sec = (time_t)s;
  ts->tv_nsec = (long)((ms - (double)ts->tv_sec * 1000.0) * 1e6);
  if (ts->tv_nsec < 0) ts->tv_nsec = 0;
  if (ts->tv_nsec > 999999999) ts->tv_nsec = 999999999;
}

static void fill_stat(const double *a, struct stat *st) {
  memset(st, 0, sizeof *st);
  st->st_ino = (ino_t)a[0];
  st->st_mode = (mode_t)a[1];
  st->st_nlink = (nlink_t)a[2];
  st->st_uid = (uid_t)a[3];
  st->st_gid = (gid_t)a[4];
  st->st_size = (off_t)a[5];
  st->st_rdev = (dev_t)a[6];
  st->st_blksize = REPORTED_BLKSIZE;
  st->st_blocks = (blkcnt_t)((a[10] + 511) / 512);  // what is stored: du is right for sparse files
  to_timespec(a[7], &st->st_atim);
  to_timespec(a[8], &st->st_mtim);
  to_timespec(a[9], &st->st_ctim);
}

static const double *attr_array(napi_env env, napi_value v, size_t count) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array || length < count) return NULL;
  return data;
}

static void fill_entry(napi_env env, const double *a, double entry_s, double attr_s, struct fuse_entry_param *e) {
  (void)env;
  memset(e, 0, sizeof *e);
  fill_stat(a, &e->attr);
  e->ino = (fuse_ino_t)a[0];
  e->generation = 1;
  e->entry_timeout = entry_s;
  e->attr_timeout = attr_s;
}

// replyErr(handle, id, errno): errno 0 is success for requests that carry no data.
static napi_value js_reply_err(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  fuse_req_t req;
  reply_args(env, info, 3, argv, &req);
  if (!req) return done(env, -1);
  return done(env, fuse_reply_err(req, (int)dbl(env, argv[2])));
}

// replyEntry(handle, id, attr: Float64Array, entryTimeoutSec, attrTimeoutSec): attr[0] 0 is a negative entry.
static napi_value js_reply_entry(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  fuse_req_t req;
  reply_args(env, info, 5, argv, &req);
  if (!req) return done(env, -1);
  const double *a = attr_array(env, argv[2], ATTR_FIELDS);
  if (!a) return done(env, fuse_reply_err(req, EIO));
  struct fuse_entry_param e;
  fill_entry(env, a, dbl(env, argv[3]), dbl(env, argv[4]), &e);
  return done(env, fuse_reply_entry(req, &e));
}

// replyCreate(handle, id, attr, entryTimeoutSec, attrTimeoutSec, fh, keepCache)
static napi_value js_reply_create(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  fuse_req_t req;
  reply_args(env, info, 7, argv, &req);
  if (!req) return done(env, -1);
  const double *a = attr_array(env, argv[2], ATTR_FIELDS);
  if (!a) return done(env, fuse_reply_err(req, EIO));
  struct fuse_entry_param e;
  fill_entry(env, a, dbl(env, argv[3]), dbl(env, argv[4]), &e);
  struct fuse_file_info fi;
  memset(&fi, 0, sizeof fi);
  fi.fh = (uint64_t)dbl(env, argv[5]);
  fi.keep_cache = dbl(env, argv[6]) != 0;
  return done(env, fuse_reply_create(req, &e, &fi));
}

// replyAttr(handle, id, attr, attrTimeoutSec)
static napi_value js_reply_attr(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  fuse_req_t req;
  reply_args(env, info, 4, argv, &req);
  if (!req) return done(env, -1);
  const double *a = attr_array(env, argv[2], ATTR_FIELDS);
  if (!a) return done(env, fuse_reply_err(req, EIO));
  struct stat st;
  fill_stat(a, &st);
  return done(env, fuse_reply_attr(req, &st, dbl(env, argv[3])));
}

// replyOpen(handle, id, fh, keepCache)
static napi_value js_reply_open(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  fuse_req_t req;
  reply_args(env, info, 4, argv, &req);
  if (!req) return done(env, -1);
  struct fuse_file_info fi;
  memset(&fi, 0, sizeof fi);
  fi.fh = (uint64_t)dbl(env, argv[2]);
  fi.keep_cache = dbl(env, argv[3]) != 0;
  return done(env, fuse_reply_open(req, &fi));
}

// replyWrite(handle, id, count)
static napi_value js_reply_write(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  fuse_req_t req;
  reply_args(env, info, 3, argv, &req);
  if (!req) return done(env, -1);
  return done(env, fuse_reply_write(req, (size_t)dbl(env, argv[2])));
}

// replyBuf(handle, id, Buffer): read data, an extended attribute's value, a listxattr list. Copied before return.
static napi_value js_reply_buf(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  fuse_req_t req;
  reply_args(env, info, 3, argv, &req);
  if (!req) return done(env, -1);
  void *data = NULL;
  size_t len = 0;
  if (napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) return done(env, fuse_reply_err(req, EIO));
  return done(env, fuse_reply_buf(req, data, len));
}

// releaseData(lease): the write the lease came with is done with its data; its receive buffer goes back to the pool.
// The Buffer must not be read after this (the next request is read into that memory). Once per lease; more do nothing.
static napi_value js_release_data(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *l = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_external(env, argv[0], &l) != napi_ok || !l)
    return THROW(env, "releaseData: expected the lease a write came with");
  lent_return(env, l);
  return NULL;
}

// rxBuffersMade(): receive buffers allocated so far by the process, pool misses all (for tests).
static napi_value js_rx_buffers_made(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&rx_pool_lock);
  double n = rx_made;
  pthread_mutex_unlock(&rx_pool_lock);
  return num(env, n);
}

// replyReadlink(handle, id, target)
static napi_value js_reply_readlink(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  fuse_req_t req;
  reply_args(env, info, 3, argv, &req);
  if (!req) return done(env, -1);
  size_t len = 0;
  napi_get_value_string_utf8(env, argv[2], NULL, 0, &len);
  char *s = malloc(len + 1);
  if (!s) return done(env, fuse_reply_err(req, ENOMEM));
  napi_get_value_string_utf8(env, argv[2], s, len + 1, &len);
  int res = fuse_reply_readlink(req, s);
  free(s);
  return done(env, res);
}

// replyXattrSize(handle, id, size): the answer to a size probe (getxattr/listxattr with size 0).
static napi_value js_reply_xattr_size(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  fuse_req_t req;
  reply_args(env, info, 3, argv, &req);
  if (!req) return done(env, -1);
  return done(env, fuse_reply_xattr(req, (size_t)dbl(env, argv[2])));
}

// replyLseek(handle, id, offset): the answer to SEEK_DATA / SEEK_HOLE.
static napi_value js_reply_lseek(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  fuse_req_t req;
  reply_args(env, info, 3, argv, &req);
  if (!req) return done(env, -1);
  return done(env, fuse_reply_lseek(req, (off_t)dbl(env, argv[2])));
}

// replyStatfs(handle, id, Float64Array [bsize, blocks, bfree, bavail, files, ffree, namemax])
static napi_value js_reply_statfs(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  fuse_req_t req;
  reply_args(env, info, 3, argv, &req);
  if (!req) return done(env, -1);
  const double *a = attr_array(env, argv[2], 7);
  if (!a) return done(env, fuse_reply_err(req, EIO));
  struct statvfs s;
  memset(&s, 0, sizeof s);
  s.f_bsize = s.f_frsize = (unsigned long)a[0];
  s.f_blocks = (fsblkcnt_t)a[1];
  s.f_bfree = (fsblkcnt_t)a[2];
  s.f_bavail = (fsblkcnt_t)a[3];
  s.f_files = (fsfilcnt_t)a[4];
  s.f_ffree = s.f_favail = (fsfilcnt_t)a[5];
  s.f_namemax = (unsigned long)a[6];
  s.f_fsid = 0x6d6f6f73;  // "moos"
  return done(env, fuse_reply_statfs(req, &s));
}

// replyDir(handle, id, size, plus, names: string[], attrs: Float64Array (ATTR_FIELDS per name), firstOffset,
//          entryTimeoutSec, attrTimeoutSec) -> how many entries fitted in `size` bytes (-1: not sent). Entry i gets
// the offset firstOffset + i + 1 (where the next readdir starts). With `plus`, every entry but "." and ".." that
// fitted counts one lookup, which the caller must record.
static napi_value js_reply_dir(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  fuse_req_t req;
  reply_args(env, info, 9, argv, &req);
  if (!req) return num(env, -1);
  size_t size = (size_t)dbl(env, argv[2]);
  bool plus = false;
  napi_get_value_bool(env, argv[3], &plus);
  uint32_t n = 0;
  napi_get_array_length(env, argv[4], &n);
  const double *attrs = attr_array(env, argv[5], (size_t)n * ATTR_FIELDS);
  double first = dbl(env, argv[6]), entry_s = dbl(env, argv[7]), attr_s = dbl(env, argv[8]);
  char *buf = malloc(size ? size : 1);
  if (!buf || (n > 0 && !attrs)) {
    free(buf);
    fuse_reply_err(req, n > 0 && !attrs ? EIO : ENOMEM);
    return num(env, -1);
  }
  size_t pos = 0;
  uint32_t i;
  char name[1024];
  for (i = 0; i < n; i++) {
    napi_value v;
    size_t len;
    napi_get_element(env, argv[4], i, &v);
    if (napi_get_value_string_utf8(env, v, name, sizeof name, &len) != napi_ok) break;
    const double *a = attrs + (size_t)i * ATTR_FIELDS;
    off_t next = (off_t)(first + i + 1);
    size_t need;
    if (plus) {
      struct fuse_entry_param e;
      fill_entry(env, a, entry_s, attr_s, &e);
      // "." and ".." are not looked up by a readdirplus (the kernel skips them): no inode for them.
      if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) e.ino = 0;
      need = fuse_add_direntry_plus(req, buf + pos, size - pos, name, &e, next);
    } else {
      struct stat st;
      fill_stat(a, &st);
      need = fuse_add_direntry(req, buf + pos, size - pos, name, &st, next);
    }
    if (need > size - pos) break;
    pos += need;
  }
  int res = fuse_reply_buf(req, buf, pos);
  free(buf);
  return num(env, res == 0 ? (double)i : -1);
}

// replyLock(handle, id, type (enum lock_type), start, length (0: to the end), pid): getlk's answer.
static napi_value js_reply_lock(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  fuse_req_t req;
  reply_args(env, info, 6, argv, &req);
  if (!req) return done(env, -1);
  int type = (int)dbl(env, argv[2]);
  struct flock lock;
  memset(&lock, 0, sizeof lock);
  lock.l_type = type == LOCK_TYPE_READ ? F_RDLCK : type == LOCK_TYPE_WRITE ? F_WRLCK : F_UNLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = (off_t)dbl(env, argv[3]);
  lock.l_len = (off_t)dbl(env, argv[4]);
  lock.l_pid = (pid_t)dbl(env, argv[5]);
  return done(env, fuse_reply_lock(req, &lock));
}

// ---- notifications (cache invalidation pushed to the kernel) -----------------------------------------------------

// libfuse warns that a notification made in the execution path of a file-system request can deadlock: the kernel
// may wait, to drop a page, for a read of it that is still to be answered, and here only the JS thread answers. So
// neither a FUSE thread nor the JS thread makes one: each runs as async work on a libuv pool thread, and its promise
// resolves on the JS thread with 0 or the negative errno libfuse returned (-ENOENT: the kernel does not know the
// inode or name, so it holds nothing to drop).
enum notify_kind { NOTIFY_INODE, NOTIFY_ENTRY };

typedef struct notify {
  mount_t *m;  // a reference, given back on completion
  enum notify_kind kind;
  fuse_ino_t ino;  // the inode, or the parent of the entry
  off_t off, len;
  char *name;
  size_t name_len;
  int result;
  napi_async_work work;
  napi_deferred deferred;
} notify_t;

static void notify_execute(napi_env env, void *data) {
  (void)env;
  notify_t *n = data;
  pthread_rwlock_rdlock(&n->m->notify_lock);
  struct fuse_session *se = n->m->se;
  if (!se) n->result = -ENOTCONN;
  else if (n->kind == NOTIFY_INODE) n->result = fuse_lowlevel_notify_inval_inode(se, n->ino, n->off, n->len);
  else n->result = fuse_lowlevel_notify_inval_entry(se, n->ino, n->name, n->name_len);
  pthread_rwlock_unlock(&n->m->notify_lock);
}

static void notify_complete(napi_env env, napi_status status, void *data) {
  notify_t *n = data;
  napi_resolve_deferred(env, n->deferred, num(env, status == napi_ok ? n->result : -ECANCELED));
  napi_delete_async_work(env, n->work);
  mount_unref(n->m);
  free(n->name);
  free(n);
}

// Queues `n` (its kind and arguments filled in) and returns its promise; frees it and throws on failure.
static napi_value queue_notify(napi_env env, mount_t *m, notify_t *n) {
  napi_value promise, name;
  n->m = m;
  napi_create_string_utf8(env, "mooseng-fuse3-notify", NAPI_AUTO_LENGTH, &name);
  if (napi_create_promise(env, &n->deferred, &promise) != napi_ok ||
      napi_create_async_work(env, NULL, name, notify_execute, notify_complete, n, &n->work) != napi_ok) {
    free(n->name);
    free(n);
    return THROW(env, "notify: cannot queue the notification");
  }
  if (napi_queue_async_work(env, n->work) != napi_ok) {
    napi_delete_async_work(env, n->work);
    free(n->name);
    free(n);
    return THROW(env, "notify: cannot queue the notification");
  }
  m->refs++;  // the mount outlives the work, whatever JS does with its handle meanwhile
  return promise;
}

// notifyInvalInode(handle, ino, offset, length) -> Promise<0 | -errno>: the kernel drops its cached attributes of
// the inode and, unless `offset` is negative, its page cache from `offset` for `length` bytes (0: to the end).
static napi_value js_notify_inval_inode(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  mount_t *m = argc == 4 ? get_mount(env, argv[0]) : NULL;
  if (!m) return THROW(env, "notifyInvalInode(handle, ino, offset, length)");
  notify_t *n = calloc(1, sizeof *n);
  if (!n) return THROW(env, "notify: out of memory");
  n->kind = NOTIFY_INODE;
  n->ino = (fuse_ino_t)dbl(env, argv[1]);
  n->off = (off_t)dbl(env, argv[2]);
  n->len = (off_t)dbl(env, argv[3]);
  return queue_notify(env, m, n);
}

// notifyInvalEntry(handle, parentIno, name) -> Promise<0 | -errno>: the kernel drops its cached entry `name` in
// the directory (and its cached attributes of the directory), so the next use of the name looks it up again.
static napi_value js_notify_inval_entry(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  mount_t *m = argc == 3 ? get_mount(env, argv[0]) : NULL;
  size_t len = 0;
  if (!m || napi_get_value_string_utf8(env, argv[2], NULL, 0, &len) != napi_ok) return THROW(env, "notifyInvalEntry(handle, parentIno, name)");
  notify_t *n = calloc(1, sizeof *n);
  if (!n || !(n->name = malloc(len + 1))) {
    free(n);
    return THROW(env, "notify: out of memory");
  }
  napi_get_value_string_utf8(env, argv[2], n->name, len + 1, &n->name_len);
  n->kind = NOTIFY_ENTRY;
  n->ino = (fuse_ino_t)dbl(env, argv[1]);
  return queue_notify(env, m, n);
}

static napi_value init(napi_env env, napi_value exports) {
  const struct { const char *name; napi_callback fn; } fns[] = {
    { "mount", js_mount }, { "exit", js_exit }, { "running", js_running }, { "destroy", js_destroy },
    { "replyErr", js_reply_err }, { "replyEntry", js_reply_entry }, { "replyCreate", js_reply_create },
    { "replyAttr", js_reply_attr }, { "replyOpen", js_reply_open }, { "replyWrite", js_reply_write },
    { "replyBuf", js_reply_buf }, { "replyReadlink", js_reply_readlink }, { "replyXattrSize", js_reply_xattr_size },
    { "replyLseek", js_reply_lseek }, { "replyStatfs", js_reply_statfs }, { "replyDir", js_reply_dir },
    { "replyLock", js_reply_lock },
    { "notifyInvalInode", js_notify_inval_inode }, { "notifyInvalEntry", js_notify_inval_entry },
    { "releaseData", js_release_data }, { "rxBuffersMade", js_rx_buffers_made },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
