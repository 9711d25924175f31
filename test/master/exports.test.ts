// master.exports (master/src/exports.ts): the first rule whose networks hold the caller's address applies; root or
// everyone is mapped as the rule says; a goal outside its bounds is refused; a caller no rule matches is refused;
// a malformed rule is a config error naming it. And the peer strings gRPC gives are read as addresses.
import { expect } from 'chai';
import { addressOfGrpcPeer, ErrorCodes } from '@mooseng/core';
import { DEFAULT_EXPORTS, type ExportRuleConfig, Exports, normalizeAddress } from '@mooseng/master';
import { errorCodeOfCall } from '../support';

const rule = (r: Partial<ExportRuleConfig> & { networks: string[] }): ExportRuleConfig => ({
  access: 'rw',
  maproot: '',
  mapall: '',
  minGoal: 1,
  maxGoal: 9,
  password: '',
  ...r,
});

describe('exports', () => {
  const exports = new Exports([
    rule({ networks: ['10.1.0.0/16', '192.168.7.7'], access: 'ro' }),
    rule({ networks: ['10.0.0.0/8'], maproot: '65534:65534', maxGoal: 3 }),
    rule({ networks: ['fd00::/8'], mapall: '1000:1000' }),
  ]);

  it('applies the first rule whose networks hold the address', () => {
    expect(exports.ruleFor('10.1.2.3').readOnly).to.equal(true);
    expect(exports.ruleFor('192.168.7.7').readOnly).to.equal(true);
    expect(exports.ruleFor('10.2.0.1').readOnly).to.equal(false);
    expect(exports.ruleFor('::ffff:10.1.2.3').readOnly, 'IPv4-mapped IPv6').to.equal(true);
    expect(exports.ruleFor('fd12::5').name).to.equal('master.exports.2');
  });

  it('maps root, or everyone, as the rule says', () => {
    const root = { uid: 0, gids: [0] };
    const user = { uid: 500, gids: [500, 20] };
    expect(exports.ruleFor('10.2.0.1').map(root)).to.deep.equal({ uid: 65534, gids: [65534] });
    expect(exports.ruleFor('10.2.0.1').map(user)).to.deep.equal(user);
    expect(exports.ruleFor('fd12::5').map(user)).to.deep.equal({ uid: 1000, gids: [1000] });
    expect(exports.ruleFor('10.1.2.3').map(root)).to.deep.equal(root);
  });

  it('refuses a goal outside the rule, and a caller no rule matches', () => {
    expect(errorCodeOfCall(() => exports.ruleFor('10.2.0.1').checkGoal(3))).to.equal('OK');
    expect(errorCodeOfCall(() => exports.ruleFor('10.2.0.1').checkGoal(4))).to.equal(ErrorCodes.EPERM);
    expect(errorCodeOfCall(() => exports.ruleFor('172.16.0.1'))).to.equal(ErrorCodes.EACCES);
    expect(errorCodeOfCall(() => exports.ruleFor(''))).to.equal(ErrorCodes.EACCES);
  });

  it('lets everyone in, read-write, root kept, by default', () => {
    const all = new Exports(DEFAULT_EXPORTS);
    expect(all.ruleFor('203.0.113.9').readOnly).to.equal(false);
    expect(all.ruleFor('::1').map({ uid: 0, gids: [0] })).to.deep.equal({ uid: 0, gids: [0] });
  });

  it('names the rule and the value a malformed export gets wrong', () => {
    expect(() => new Exports([rule({ networks: ['10.0.0.0/33'] })])).to.throw(/master\.exports\.0\.networks: "10\.0\.0\.0\/33"/);
    expect(() => new Exports([rule({ networks: ['*'], maproot: 'root' })])).to.throw(/master\.exports\.0\.maproot: "root" is not uid:gid/);
    expect(() => new Exports([rule({ networks: ['*'], minGoal: 4, maxGoal: 2 })])).to.throw(/minGoal 4 is above maxGoal 2/);
  });

  it('reads addresses out of gRPC peer strings and mapped IPv6', () => {
    expect(addressOfGrpcPeer('ipv4:10.0.0.1:5000')).to.equal('10.0.0.1');
    expect(addressOfGrpcPeer('10.0.0.1:5000')).to.equal('10.0.0.1');
    expect(addressOfGrpcPeer('ipv6:[::1]:5000')).to.equal('::1');
    expect(addressOfGrpcPeer('[fd00::7]:5000')).to.equal('fd00::7');
    expect(normalizeAddress('::ffff:127.0.0.1')).to.equal('127.0.0.1');
  });
});
