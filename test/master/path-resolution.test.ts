// Path resolution for the HTTP API: normalisation, "..", symlinks inside and at the end, ELOOP, permissions.
import { expect } from 'chai';
import { Harness, ALICE, ROOT, ROOT_INODE } from './harness';

describe('master namespace: path resolution', () => {
  let h: Harness;
  const resolve = (path: string, followFinal = false, cred = ROOT) => h.sm.resolve(path, cred, { followFinal });
  const code = (path: string, followFinal = false, cred = ROOT) => Harness.queryCode(() => resolve(path, followFinal, cred));
  beforeEach(() => {
    h = new Harness();
  });

  it('resolves absolute paths, skipping "." and empty components, never going above the root', () => {
    const a = h.mkdir(ROOT_INODE, 'a');
    const b = h.mkdir(a.ino, 'b');
    const f = h.create(b.ino, 'f');
    expect(resolve('/a/b/f').ino).to.equal(f.ino);
    expect(resolve('//a/./b//f').ino).to.equal(f.ino);
    expect(resolve('/a/b/../b/f').ino).to.equal(f.ino);
    expect(resolve('/../../a').ino).to.equal(a.ino);
    expect(resolve('/').ino).to.equal(ROOT_INODE);
    expect(h.sm.resolveParent('/a/b/new', ROOT)).to.deep.equal({ parent: b.ino, name: 'new' });
    expect(code('a/b')).to.equal('EINVAL');
    expect(code('/a/zz')).to.equal('ENOENT');
    expect(code('/a/b/f/g')).to.equal('ENOTDIR');
  });

  it('follows symlinks in the middle always and at the end only when asked', () => {
    const a = h.mkdir(ROOT_INODE, 'a');
    const f = h.create(a.ino, 'f');
    const rel = h.attr({ op: 'symlink', parent: ROOT_INODE, name: 'rel', target: 'a', cred: ROOT });
    h.attr({ op: 'symlink', parent: a.ino, name: 'abs', target: '/a/f', cred: ROOT });
    h.attr({ op: 'symlink', parent: a.ino, name: 'up', target: '../a/f', cred: ROOT });
    expect(resolve('/rel/f').ino).to.equal(f.ino);
    expect(resolve('/rel').ino).to.equal(rel.ino);
    expect(resolve('/rel', true).ino).to.equal(a.ino);
    expect(resolve('/a/abs', true).ino).to.equal(f.ino);
    expect(resolve('/rel/up', true).ino).to.equal(f.ino);
  });

  it('stops symlink loops with ELOOP', () => {
    h.attr({ op: 'symlink', parent: ROOT_INODE, name: 'x', target: 'y', cred: ROOT });
    h.attr({ op: 'symlink', parent: ROOT_INODE, name: 'y', target: '/x', cred: ROOT });
    h.attr({ op: 'symlink', parent: ROOT_INODE, name: 'self', target: 'self/a', cred: ROOT });
    expect(code('/x', true)).to.equal('ELOOP');
    expect(code('/x/z')).to.equal('ELOOP');
    expect(code('/self/b')).to.equal('ELOOP');
    expect(resolve('/x').ino).to.be.greaterThan(1); // lstat of a looping link is fine
  });

  it('needs search permission on every directory passed through, and refuses overlong paths', () => {
    const locked = h.mkdir(ROOT_INODE, 'locked', 0o700);
    h.create(locked.ino, 'f');
    expect(code('/locked/f', false, ALICE)).to.equal('EACCES');
    expect(code('/locked', false, ALICE)).to.equal('OK');
    expect(code('/' + 'a/'.repeat(2100))).to.equal('ENAMETOOLONG');
  });
});
