// The deployment files cannot be run here (no Docker engine, no Kubernetes), so this checks what can be checked:
// they parse, and every command, flag, setting, environment variable and port they use exists and validates.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '@oclif/core';
import { checkConfig, COMMON_ENV_BINDINGS, type PluginRegistry, type RoleName } from '@mooseng/core';
import { ROLES } from 'mooseng';
import { buildRegistry } from 'mooseng/dist/plugin-host';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support';

/** docs/architecture.md, "Processes and ports". */
const PORTS = { master: [9421, 9422, 9423], chunkserver: [9420, 9425], client: [9427] } as const;
const ROLE_OF: Record<string, RoleName> = { master: 'master', chunkserver: 'chunkserver', mount: 'client' };
/** Variables of the core and the roles; the first-party plugins' own are added once the registry is built. */
const KNOWN_ENV = new Set([
  ...COMMON_ENV_BINDINGS.map((b) => b.variable),
  ...Object.values(ROLES).flatMap((r) => r!.environment.map((b) => b.variable)),
  'MOOSENG_DATA_DIR',
  'MOOSENG_CONFIG_DIR',
  'MOOSENG_CACHE_DIR',
]);

interface Invocation {
  where: string;
  args: string[];
  env: Record<string, string>;
}

describe('deployment files', () => {
  let oclif: Config;
  let registry: PluginRegistry;

  before(async () => {
    oclif = await Config.load(join(REPO_ROOT, 'cli'));
    registry = buildRegistry(oclif);
    for (const { contribution } of registry.list()) for (const b of contribution.environment ?? []) KNOWN_ENV.add(b.variable);
  });

  /** The command exists, its flags exist, and (for a role) the settings it implies form a valid config. */
  function checkInvocation(inv: Invocation): void {
    const [id, ...rest] = inv.args;
    const command = oclif.findCommand(id!);
    expect(command, `${inv.where}: no command "${id}"`).to.not.equal(undefined);
    const flags = new Set(Object.keys(command!.flags ?? {}));
    const overrides: string[] = [];
    let positional = 0;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i]!;
      if (!arg.startsWith('--')) {
        positional++;
        continue;
      }
      const name = arg.slice(2).split('=')[0]!;
      expect(flags.has(name), `${inv.where}: ${id} has no flag --${name}`).to.equal(true);
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rest[++i]!;
      if (name === 'set') overrides.push(value.replace(/\$\(POD_NAME\)/g, 'pod-0').replace(/\$\(NODE_NAME\)/g, 'node-a'));
      if (name === 'master') overrides.push(`client.masters=${JSON.stringify(value.split(','))}`);
    }
    expect(positional, `${inv.where}: too many arguments`).to.be.at.most(Object.keys(command!.args ?? {}).length);
    for (const key of Object.keys(inv.env)) {
      if (key.startsWith('MOOSENG_')) expect(KNOWN_ENV.has(key), `${inv.where}: unknown variable ${key}`).to.equal(true);
    }
    const role = ROLE_OF[id!];
    if (role) {
      if (role === 'client' && positional > 0) overrides.push('client.mountPoint=/mnt/mooseng');
      const env = Object.fromEntries(Object.entries(inv.env).map(([k, v]) => [k, v.replace(/\$\(POD_NAME\)/g, 'pod-0')]));
      const { problems } = checkConfig({ role, env, overrides }, registry, ROLES);
      expect(problems, `${inv.where}: ${JSON.stringify(problems)}`).to.deep.equal([]);
    }
  }

  it('docker-compose: every service runs a real command with valid settings on the documented ports (docs/architecture.md)', () => {
    const doc = parse(readFileSync(join(REPO_ROOT, 'docker', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, any>;
    };
    const mooseng = Object.entries(doc.services).filter(([, s]) => s.image === 'mooseng:latest');
    expect(mooseng.map(([n]) => n).sort()).to.deep.equal([
      'chunkserver1',
      'chunkserver2',
      'chunkserver3',
      'client1',
      'client2',
      'client3',
      'master1',
      'master2',
      'master3',
    ]);
    for (const [name, s] of mooseng) {
      checkInvocation({ where: `docker-compose ${name}`, args: s.command, env: s.environment ?? {} });
      const role = ROLE_OF[s.command[0]]!;
      const port = Number(s.environment.MOOSENG_METRICS_PORT);
      expect(PORTS[role], `${name}: HTTP port ${port}`).to.include(port);
    }
    for (const n of [1, 2, 3]) expect(doc.services[`chunkserver${n}`].volumes).to.have.length(4);
    expect(doc.services.client1.devices).to.include('/dev/fuse:/dev/fuse');
    expect(doc.services.client1.cap_add).to.include('SYS_ADMIN');
    expect(Object.keys(doc.services)).to.include.members(['prometheus', 'grafana']);
  });

  it('prometheus.yml scrapes every role on its HTTP port', () => {
    const prom = parse(readFileSync(join(REPO_ROOT, 'docker', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = prom.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets));
    expect(targets).to.have.length(9);
    for (const t of targets) {
      const port = Number(t.split(':')[1]);
      expect([PORTS.master[2], PORTS.chunkserver[1], PORTS.client[0]]).to.include(port);
    }
  });

  it('kubernetes: every container runs a real command with valid settings, probes /health on its HTTP port', () => {
    const dir = join(REPO_ROOT, 'deploy', 'k8s');
    let containers = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        expect(doc.errors, file).to.deep.equal([]);
        const obj = doc.toJS() as { kind: string; spec: any };
        if (!['StatefulSet', 'DaemonSet'].includes(obj.kind)) continue;
        for (const c of obj.spec.template.spec.containers) {
          containers++;
          const env = Object.fromEntries(
            (c.env ?? [])
              .filter((e: { value?: string }) => e.value !== undefined)
              .map((e: { name: string; value: string }) => [e.name, e.value]),
          );
          checkInvocation({ where: `${file} ${c.name}`, args: c.args, env });
          const role = ROLE_OF[c.args[0]]!;
          expect(PORTS[role]).to.include(c.readinessProbe.httpGet.port);
          expect(c.readinessProbe.httpGet.path).to.equal('/health');
          for (const p of c.ports) expect(PORTS[role], `${file}: port ${p.containerPort}`).to.include(p.containerPort);
        }
      }
    }
    expect(containers).to.equal(3);
  });

  it('systemd units start real commands', () => {
    const dir = join(REPO_ROOT, 'deploy', 'systemd');
    const units = readdirSync(dir);
    expect(units.sort()).to.deep.equal(['mooseng-chunkserver.service', 'mooseng-master.service', 'mooseng-mount@.service']);
    for (const unit of units) {
      for (const line of readFileSync(join(dir, unit), 'utf8').split('\n')) {
        const m = /^Exec(?:Start|Stop)=\/usr\/bin\/mooseng (.*)$/.exec(line);
        if (!m) continue;
        const args = m[1]!.split(/\s+/).filter((a) => !a.startsWith('/etc/') && !a.startsWith('/mnt/'));
        // --config FILE: the file is the operator's; only the flag is checked here.
        const i = args.indexOf('--config');
        if (i >= 0) args.splice(i, 1);
        checkInvocation({ where: unit, args: args.filter((a, k) => !(k > 0 && args[k - 1] === '--config')), env: {} });
      }
    }
  });

  it('the Dockerfile runs the CLI and exposes the documented ports', () => {
    const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const instructions = text.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^\s/.test(l));
    for (const l of instructions) expect(l, 'Dockerfile instruction').to.match(/^(FROM|RUN|WORKDIR|COPY|EXPOSE|ENV|ENTRYPOINT|CMD) /);
    const entry = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(text)![1]!) as string[];
    expect(entry[1]).to.equal('/opt/mooseng/cli/bin/run.js');
    expect(existsSync(join(REPO_ROOT, 'cli', 'bin', 'run.js'))).to.equal(true);
    const exposed = /^EXPOSE (.*)$/m.exec(text)![1]!.split(/\s+/).map(Number).sort();
    expect(exposed).to.deep.equal([...PORTS.master, ...PORTS.chunkserver, ...PORTS.client].sort());
  });
});
