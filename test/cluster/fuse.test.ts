// The file system as users meet it: real programs on real FUSE mounts of a real cluster, compared with local copies.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
  chmodSync,
  chownSync,
} from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, makeTempDir, runCli, waitFor } from '../support';
import { TestCluster } from './harness';

function sh(cmd: string, args: string[], options: { cwd?: string; user?: number } = {}): string {
  const argv =
    options.user === undefined
      ? [cmd, ...args]
      : ['setpriv', `--reuid=${options.user}`, `--regid=${options.user}`, '--clear-groups', cmd, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('FUSE mounts (real programs)', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let a: string; // client1's mount
  let b: string; // client2's mount
  let local: string;

  before(async () => {
    // MOOSENG_FUSE_SHAPE=3/3/3 runs them on three masters, three chunkservers and three mounts (two are used).
    const [masters, chunkservers, clients] = (process.env.MOOSENG_FUSE_SHAPE ?? '1/2/2').split('/').map(Number) as [number, number, number];
    if (![masters, chunkservers, clients].every((n) => Number.isInteger(n) && n > 0) || clients < 2)
      throw new Error(`MOOSENG_FUSE_SHAPE=${process.env.MOOSENG_FUSE_SHAPE}: want masters/chunkservers/clients, two clients or more`);
    cluster = await TestCluster.start({ masters, chunkservers, disks: 1, clients, goal: 2 });
    [a, b] = cluster.nodes('client').map((n) => n.mountPoint) as [string, string];
    local = makeTempDir('mooseng-local-');
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  it('clones a git repository with many files, and git fsck finds it sound', () => {
    const src = join(local, 'src-repo');
    mkdirSync(src);
    sh('git', ['init', '-q', src]);
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(src, `dir${d}`));
      for (let f = 0; f < 20; f++) writeFileSync(join(src, `dir${d}`, `file${f}.txt`), `${d}/${f}\n`.repeat(1 + ((d * f) % 50)));
    }
    sh('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.'], { cwd: src });
    sh('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'many files'], { cwd: src });
    sh('git', ['clone', '-q', src, join(a, 'repo')]);
    sh('git', ['fsck', '--strict'], { cwd: join(a, 'repo') });
    expect(sh('git', ['status', '--porcelain'], { cwd: join(a, 'repo') })).to.equal('');
    sh('diff', ['-r', '--exclude=.git', src, join(a, 'repo')]);
  });

  it('round-trips a tar archive', () => {
    const tree = join(local, 'tree');
    mkdirSync(join(tree, 'x', 'y'), { recursive: true });
    writeFileSync(join(tree, 'x', 'y', 'data.bin'), randomBytes(3 * 1024 * 1024 + 17));
    writeFileSync(join(tree, 'empty'), '');
    symlinkSync('x/y/data.bin', join(tree, 'link'));
    sh('tar', ['cf', join(a, 'tree.tar'), '-C', local, 'tree']);
    const out = join(a, 'untarred');
    mkdirSync(out);
    sh('tar', ['xf', join(a, 'tree.tar'), '-C', out]);
    sh('diff', ['-r', '--no-dereference', tree, join(out, 'tree')]);
  });

  it('rsyncs a tree onto the mount and back, unchanged', () => {
    const tree = join(local, 'tree');
    sh('rsync', ['-a', `${tree}/`, join(a, 'rsynced')]);
    const back = join(local, 'back');
    sh('rsync', ['-a', `${join(a, 'rsynced')}/`, back]);
    sh('diff', ['-r', '--no-dereference', tree, back]);
    // Times are kept to the millisecond.
    expect(statSync(join(a, 'rsynced', 'x', 'y', 'data.bin')).mtimeMs).to.equal(
      Math.floor(statSync(join(tree, 'x', 'y', 'data.bin')).mtimeMs),
    );
  });

  it('keeps a sqlite3 database sound', () => {
    const db = join(a, 'db.sqlite');
    sh('sqlite3', [
      db,
      'create table t(k integer primary key, v text); begin; ' +
        Array.from({ length: 500 }, (_, i) => `insert into t(v) values ('row ${i}');`).join(' ') +
        ' commit;',
    ]);
    sh('sqlite3', [db, "update t set v = v || '!' where k % 7 = 0; delete from t where k % 11 = 0;"]);
    expect(sh('sqlite3', [db, 'pragma integrity_check;']).trim()).to.equal('ok');
    expect(Number(sh('sqlite3', [db, 'select count(*) from t;']).trim())).to.equal(500 - 45);
  });

  it('passes fio --verify on a file larger than one chunk', () => {
    sh('fio', [
      '--name=verify',
      `--filename=${join(a, 'fio.dat')}`,
      '--size=72M',
      '--bs=256k',
      '--rw=write',
      '--verify=crc32c',
      '--do_verify=1',
      '--verify_fatal=1',
      '--verify_state_save=0',
      '--minimal',
    ]);
    sh('fio', [
      '--name=randverify',
      `--filename=${join(a, 'fio.dat')}`,
      '--size=72M',
      '--bs=4k',
      '--rw=randwrite',
      '--number_ios=2000',
      '--verify=crc32c',
      '--do_verify=1',
      '--verify_fatal=1',
      '--verify_state_save=0',
      '--minimal',
    ]);
    expect(statSync(join(a, 'fio.dat')).size).to.equal(72 * 1024 * 1024);
  });

  it('shows a file closed on one mount, whole, to a reader on the other', () => {
    const data = randomBytes(5 * 1024 * 1024 + 3);
    writeFileSync(join(a, 'shared.bin'), data);
    expect(sha(join(b, 'shared.bin'))).to.equal(createHash('sha256').update(data).digest('hex'));
    writeFileSync(join(b, 'shared.bin'), 'rewritten by b');
    expect(readFileSync(join(a, 'shared.bin'), 'utf8')).to.equal('rewritten by b');
  });

  it('keeps every write of two handles appending (O_APPEND) to one file on the same mount, in order', () => {
    const log = join(a, 'appended.log');
    const one = openSync(log, 'a');
    const two = openSync(log, 'a');
    const expected: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        for (const [fd, who] of [
          [one, 'one'],
          [two, 'two'],
        ] as const) {
          const line = `${who} ${i}\n`;
          writeSync(fd, line);
          expected.push(line);
        }
      }
    } finally {
      closeSync(one);
      closeSync(two);
    }
    expect(readFileSync(log, 'utf8')).to.equal(expected.join(''));
    expect(readFileSync(join(b, 'appended.log'), 'utf8')).to.equal(expected.join(''));
  });

  it('cuts with ftruncate what another handle on the same mount wrote before it', () => {
    const path = join(a, 'cut-by-fd.bin');
    writeFileSync(path, 'x'.repeat(10));
    const writer = openSync(path, 'r+');
    const cutter = openSync(path, 'r+');
    try {
      writeSync(writer, 'written before the cut', 0, 'utf8');
      ftruncateSync(cutter, 3);
    } finally {
      closeSync(writer);
      closeSync(cutter);
    }
    expect(readFileSync(path, 'utf8')).to.equal('wri');
    expect(readFileSync(join(b, 'cut-by-fd.bin'), 'utf8')).to.equal('wri');
  });

  it('supports hard links, symlinks and rename over an existing file', () => {
    writeFileSync(join(a, 'orig'), 'one');
    linkSync(join(a, 'orig'), join(a, 'hard'));
    expect(statSync(join(a, 'orig')).nlink).to.equal(2);
    expect(statSync(join(b, 'hard')).ino).to.equal(statSync(join(b, 'orig')).ino);
    symlinkSync('orig', join(a, 'soft'));
    expect(readlinkSync(join(b, 'soft'))).to.equal('orig');
    expect(lstatSync(join(a, 'soft')).isSymbolicLink()).to.equal(true);
    expect(readFileSync(join(a, 'soft'), 'utf8')).to.equal('one');
    writeFileSync(join(a, 'new'), 'two');
    renameSync(join(a, 'new'), join(a, 'orig'));
    expect(readFileSync(join(a, 'orig'), 'utf8')).to.equal('two');
    expect(readFileSync(join(a, 'hard'), 'utf8')).to.equal('one');
    expect(existsSync(join(a, 'new'))).to.equal(false);
  });

  it('stores extended attributes (setfattr/getfattr)', () => {
    writeFileSync(join(a, 'attrs'), 'x');
    sh('setfattr', ['-n', 'user.color', '-v', 'blue', join(a, 'attrs')]);
    expect(sh('getfattr', ['--only-values', '-n', 'user.color', join(b, 'attrs')])).to.equal('blue');
    expect(sh('getfattr', ['-d', join(a, 'attrs')])).to.contain('user.color="blue"');
    sh('setfattr', ['-x', 'user.color', join(a, 'attrs')]);
    expect(() => sh('getfattr', ['-n', 'user.color', join(a, 'attrs')])).to.throw(/No such attribute/);
  });

  it('keeps POSIX ACLs (setfacl/getfacl): enforced for a non-root user, the same on both mounts, inherited from a default ACL', async function () {
    if (process.env.MOOSENG_TEST_MOUNT === 'mount-fuse-native') this.skip(); // fuse-native asks for no POSIX ACLs
    mkdirSync(join(a, 'acl'));
    writeFileSync(join(a, 'acl', 'f'), 'for 1000');
    chmodSync(join(a, 'acl', 'f'), 0o600);
    expect(() => sh('cat', [join(a, 'acl', 'f')], { user: 1000 })).to.throw(/Permission denied/);
    sh('setfacl', ['-m', 'u:1000:r', join(a, 'acl', 'f')]);
    expect(sh('cat', [join(a, 'acl', 'f')], { user: 1000 })).to.equal('for 1000');
    expect(() => sh('cat', [join(a, 'acl', 'f')], { user: 1001 }), 'others still may not').to.throw(/Permission denied/);
    expect(statSync(join(a, 'acl', 'f')).mode & 0o777, 'the group bits show the mask').to.equal(0o640);
    // The other mount sees the ACL once its kernel's cached attributes expire (no invalidation across mounts yet).
    await waitFor('the ACL on the other mount', () => sh('getfacl', ['-cpn', join(b, 'acl', 'f')]).includes('user:1000:r--'), 5_000);
    expect(sh('cat', [join(b, 'acl', 'f')], { user: 1000 })).to.equal('for 1000');
    // A default ACL on a directory: new files get it as their ACL (limited by their mode), subdirectories both.
    mkdirSync(join(a, 'acl', 'shared'));
    sh('setfacl', ['-m', 'u:1000:rwx', '-d', '-m', 'u:1000:rwx', join(a, 'acl', 'shared')]);
    sh('setfacl', ['-m', 'u:1000:rwx', join(a, 'acl', 'shared')]);
    sh('touch', [join(a, 'acl', 'shared', 'by-1000')], { user: 1000 });
    const inherited = sh('getfacl', ['-cpn', join(a, 'acl', 'shared', 'by-1000')]);
    expect(inherited).to.match(/^user:1000:rwx\s+#effective:rw-$/m);
    expect(statSync(join(a, 'acl', 'shared', 'by-1000')).uid).to.equal(1000);
    mkdirSync(join(a, 'acl', 'shared', 'sub'));
    expect(sh('getfacl', ['-cpnd', join(a, 'acl', 'shared', 'sub')])).to.contain('user:1000:rwx');
    // Without a default ACL the umask applies as before.
    expect(sh('bash', ['-c', `umask 027 && touch ${join(a, 'acl', 'masked')} && stat -c %a ${join(a, 'acl', 'masked')}`]).trim()).to.equal(
      '640',
    );
    sh('setfacl', ['-b', join(a, 'acl', 'f')]);
    expect(sh('getfacl', ['-cpn', join(a, 'acl', 'f')])).to.not.contain('user:1000');
  });

  it('applies chmod and chown, refuses another uid with EACCES, and gives new files their creator', () => {
    mkdirSync(join(a, 'private'));
    writeFileSync(join(a, 'private', 'secret'), 'root only');
    chmodSync(join(a, 'private', 'secret'), 0o600);
    expect(statSync(join(b, 'private', 'secret')).mode & 0o777).to.equal(0o600);
    expect(() => sh('cat', [join(a, 'private', 'secret')], { user: 1000 })).to.throw(/Permission denied/);
    expect(() => sh('touch', [join(a, 'private', 'intruder')], { user: 1000 })).to.throw(/Permission denied/);
    mkdirSync(join(a, 'home'));
    chownSync(join(a, 'home'), 1000, 1000);
    expect(statSync(join(b, 'home')).uid).to.equal(1000);
    sh('touch', [join(a, 'home', 'mine')], { user: 1000 });
    const st = statSync(join(a, 'home', 'mine'));
    expect([st.uid, st.gid]).to.deep.equal([1000, 1000]);
  });

  it('gets and sets goals with `mooseng goal` through paths on the mounts', async () => {
    mkdirSync(join(a, 'goals'));
    writeFileSync(join(a, 'goals', 'f'), 'x');
    const get = await runCli(['goal', 'get', join(a, 'goals', 'f')], { env: cluster.adminEnv() });
    expect(get.code, get.stderr).to.equal(0);
    expect(get.stdout.trim()).to.match(/: 2$/);
    const set = await runCli(['goal', 'set', '-r', join(a, 'goals'), '3'], { env: cluster.adminEnv() });
    expect(set.code, set.stderr).to.equal(0);
    expect(set.stdout).to.contain('2 inodes changed');
    expect((await runCli(['goal', 'get', join(b, 'goals', 'f')], { env: cluster.adminEnv() })).stdout.trim()).to.match(/: 3$/);
    const outside = await runCli(['goal', 'get', '/tmp'], { env: cluster.adminEnv() });
    expect(outside.code).to.not.equal(0);
    expect(outside.stderr).to.contain('not on a MooseNG mount');
  });

  it('shows link counts at once after ln, mv over and rm, and a hard link as one inode', function () {
    // libfuse 2's high-level API keeps one node per path: the other name's cached count goes stale.
    if (process.env.MOOSENG_TEST_MOUNT === 'mount-fuse-native') this.skip();
    const dir = join(a, 'links');
    mkdirSync(dir);
    // Through the shell, as a user would: the kernel must not serve a count it cached before the change.
    expect(sh('sh', ['-c', 'echo a > f; ln f h; stat -c %h f'], { cwd: dir }).trim()).to.equal('2');
    expect(statSync(join(dir, 'h')).ino).to.equal(statSync(join(dir, 'f')).ino);
    expect(sh('sh', ['-c', 'echo b > g; mv g h; stat -c %h f; stat -c %h h'], { cwd: dir }).trim().split('\n')).to.deep.equal(['1', '1']);
    expect(sh('sh', ['-c', 'ln f k; stat -c %h f; rm k; stat -c %h f'], { cwd: dir }).trim().split('\n')).to.deep.equal(['2', '1']);
  });

  it('honours renameat2 flags: RENAME_NOREPLACE refuses an existing name, RENAME_EXCHANGE swaps two', function () {
    if (process.env.MOOSENG_TEST_MOUNT === 'mount-fuse-native') this.skip(); // libfuse 2's high-level API passes no flags
    const dir = join(a, 'rename-flags');
    mkdirSync(dir);
    writeFileSync(join(dir, 'x'), 'x');
    writeFileSync(join(dir, 'y'), 'y');
    // renameat2(2) from Python (coreutils here has no mv --exchange); prints 0 or the errno name.
    const renameat2 = (from: string, to: string, flags: number): string =>
      sh('python3', [
        '-c',
        'import ctypes,os,sys; libc=ctypes.CDLL(None,use_errno=True); r=libc.renameat2(-100,sys.argv[1].encode(),-100,sys.argv[2].encode(),int(sys.argv[3])); print(0 if r==0 else __import__("errno").errorcode[ctypes.get_errno()])',
        from,
        to,
        String(flags),
      ]).trim();
    expect(renameat2(join(dir, 'x'), join(dir, 'y'), 1)).to.equal('EEXIST');
    expect(readFileSync(join(dir, 'y'), 'utf8')).to.equal('y');
    expect(renameat2(join(dir, 'x'), join(dir, 'y'), 2)).to.equal('0');
    expect(readFileSync(join(dir, 'x'), 'utf8')).to.equal('y');
    expect(readFileSync(join(dir, 'y'), 'utf8')).to.equal('x');
    expect(readFileSync(join(b, 'rename-flags', 'y'), 'utf8')).to.equal('x');
    expect(renameat2(join(dir, 'x'), join(dir, 'z'), 1)).to.equal('0');
    expect(existsSync(join(dir, 'x'))).to.equal(false);
  });

  it('fallocate: grows a file, and a punched hole or a zeroed range reads back zeros on both mounts', function () {
    if (process.env.MOOSENG_TEST_MOUNT === 'mount-fuse-native') this.skip(); // fuse-native binds no fallocate
    const f = join(a, 'falloc');
    const data = randomBytes(3 * 1024 * 1024);
    writeFileSync(f, data);
    sh('fallocate', ['-l', String(5 * 1024 * 1024), f]); // mode 0: at least 5 MiB long
    expect(statSync(f).size).to.equal(5 * 1024 * 1024);
    sh('fallocate', ['-n', '-l', String(9 * 1024 * 1024), f]); // KEEP_SIZE: the length stays
    expect(statSync(f).size).to.equal(5 * 1024 * 1024);
    sh('fallocate', ['-p', '-o', '4096', '-l', String(1024 * 1024), f]); // punch a hole (keeps the size)
    sh('fallocate', ['-z', '-o', String(2 * 1024 * 1024), '-l', String(5 * 1024 * 1024), f]); // zero range, grows to 7 MiB
    const want = Buffer.concat([data, Buffer.alloc(4 * 1024 * 1024)]);
    want.fill(0, 4096, 4096 + 1024 * 1024);
    want.fill(0, 2 * 1024 * 1024);
    expect(statSync(f).size).to.equal(7 * 1024 * 1024);
    expect(readFileSync(f).equals(want), 'mount A').to.equal(true);
    expect(readFileSync(join(b, 'falloc')).equals(want), 'mount B').to.equal(true);
    expect(() => sh('fallocate', ['-c', '-o', '0', '-l', '65536', f]), 'collapse range').to.throw(/not supported/i);
  });

  it('counts in st_blocks what is stored, so du is right for a sparse file, and SEEK_HOLE/SEEK_DATA find its holes', function () {
    if (process.env.MOOSENG_TEST_MOUNT === 'mount-fuse-native') this.skip(); // fuse-native binds no lseek
    const f = join(a, 'sparse');
    writeFileSync(f, 'head');
    truncateSync(f, 300 * 1024 * 1024); // a hole over the rest of chunk 0 and four more chunks
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.from('tail'), 0, 4, 300 * 1024 * 1024 - 4);
    closeSync(fd);
    // Chunks 0 and 4 exist: 64 MiB + (300 - 256) MiB at most, not 300 MiB.
    const blocks = statSync(join(b, 'sparse')).blocks;
    expect(blocks * 512).to.be.at.most((64 + 44) * 1024 * 1024);
    expect(blocks).to.be.greaterThan(0);
    expect(Number(sh('du', ['-k', f]).split('\t')[0])).to.be.at.most((64 + 44) * 1024);
    // SEEK_DATA / SEEK_HOLE see the holes too (chunk granularity), so cp --sparse and tar --sparse skip them.
    const seeks = sh('python3', [
      '-c',
      'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); print(os.lseek(fd, 0, os.SEEK_HOLE), os.lseek(fd, 64<<20, os.SEEK_DATA), os.lseek(fd, 256<<20, os.SEEK_HOLE))',
      join(b, 'sparse'),
    ]);
    expect(seeks.trim()).to.equal(`${64 << 20} ${256 << 20} ${300 << 20}`);
  });

  it('reports capacity to df', () => {
    const out = execFileSync('df', ['-B1', a], { encoding: 'utf8' }).trim().split('\n')[1]!.split(/\s+/);
    expect(Number(out[1])).to.be.greaterThan(0);
  });

  it('mounts again with `mooseng mount` over the dead mount point a killed client left', async () => {
    writeFileSync(join(a, 'survives'), 'still here');
    await cluster.stopNode('client2', 'kill');
    // Opening the directory asks the dead file system (a stat may be answered from the kernel's cache).
    expect(() => readdirSync(b)).to.throw(/ENOTCONN/);
    await cluster.restartNode('client2');
    expect(readFileSync(join(b, 'survives'), 'utf8')).to.equal('still here');
  });
});
