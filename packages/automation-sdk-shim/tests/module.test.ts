import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Module } from '../src/module.js';
import { Trigger } from '../src/trigger.js';

const root = fileURLToPath(new URL('./fixtures/example-module/', import.meta.url));

class Idle extends Trigger {
  async run(): Promise<void> {}
}

function module(): { module: Module; errors: string[] } {
  const errors: string[] = [];
  const created = new Module({ root, writeError: (line) => errors.push(line), handleProcessSignals: false, env: {} });
  created.register(Idle, 'example-trigger');
  created.register(Idle, 'another-trigger');
  return { module: created, errors };
}

describe('Module', () => {
  it('exits non-zero on an unknown command, listing the known ones', async () => {
    const { module: target, errors } = module();
    expect(await target.run(['trigger-that-does-not-exist'])).not.toBe(0);
    expect(errors).toEqual(['Unknown command "trigger-that-does-not-exist". Known commands: another-trigger, example-trigger.']);
  });

  it('exits non-zero when no command is given, listing the known ones', async () => {
    const { module: target, errors } = module();
    expect(await target.run([])).not.toBe(0);
    expect(errors).toEqual(['No command given. Usage: node <main> <command>. Known commands: another-trigger, example-trigger.']);
  });

  it('lists the commands on --help, -h or help, runs nothing and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const printed: string[] = [];
      const created = new Module({ root, write: (line) => printed.push(line), writeError: (line) => printed.push(`error: ${line}`), handleProcessSignals: false, env: {} });
      created.register(Idle, 'example-trigger');
      expect(await created.run([flag])).toBe(0);
      expect(printed).toEqual([
        'Usage: node <main> <command>, configured as the Sekoia.io platform configures a trigger (files in $SYMPHONY_VOLUME_PATH or environment variables). Known commands: example-trigger.',
      ]);
    }
  });

  it('exits non-zero when no trigger JSON declares a registered command', async () => {
    const { module: target, errors } = module();
    expect(await target.run(['another-trigger'])).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^No trigger_\*\.json in .*example-module has docker_parameters "another-trigger"\.$/)]);
  });

  it('exits non-zero when manifest.json is missing', async () => {
    const errors: string[] = [];
    const target = new Module({ root: '/nonexistent-module-root', writeError: (line) => errors.push(line) });
    target.register(Idle, 'example-trigger');
    expect(await target.run(['example-trigger'])).toBe(1);
    expect(errors).toEqual(['/nonexistent-module-root/manifest.json cannot be read (ENOENT).']);
  });

  it('refuses to register one command twice', () => {
    expect(() => module().module.register(Idle, 'example-trigger')).toThrow('The command "example-trigger" is registered twice.');
  });
});
