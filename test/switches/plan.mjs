// Writes what a data path's driver plans for a run, for the host tests to execute exactly:
//   node plan.mjs COMPILED_DIR OUT_DIR DATAPATH [SPEC_JSON]
// COMPILED_DIR holds src/ compiled to JavaScript (run.sh compiles the drivers' import graph there).
// OUT_DIR receives datapath, command, ready, sender and receiver (argv, NUL-separated), capabilities
// (one per line) and config/<key> for each configuration file; a data path without a switch gets no
// command.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [compiled, out, datapath, specJson = '{}'] = process.argv.slice(2);
if (!compiled || !out || !datapath) {
  console.error('usage: node plan.mjs COMPILED_DIR OUT_DIR DATAPATH [SPEC_JSON]');
  process.exit(2);
}
const load = (module) => import(pathToFileURL(path.join(compiled, 'src', module)).href);
const { driverFor } = await load('datapaths/index.js');
const { defaultSpec, withDatapathOptions } = await load('api/v1alpha1/defaults.js');

const context = {
  run: { namespace: 'host-test', name: 'host-test', uid: '00000000-0000-4000-8000-000000000000' },
  spec: withDatapathOptions(defaultSpec({ ...JSON.parse(specJson), datapath })),
  images: { traffic: 'host', switch: 'host' },
};
const driver = driverFor(datapath);
const argv = (args) => args.map((a) => `${a}\0`).join('');

mkdirSync(path.join(out, 'config'), { recursive: true });
writeFileSync(path.join(out, 'datapath'), datapath);
for (const role of ['sender', 'receiver'])
  writeFileSync(path.join(out, role), argv(driver.endpoint(context, role).backendArgs));
const plan = driver.switchPlan(context);
if (plan) {
  writeFileSync(path.join(out, 'command'), argv(plan.command));
  writeFileSync(path.join(out, 'ready'), argv(plan.startupProbe.exec.command));
  writeFileSync(path.join(out, 'capabilities'), plan.capabilities.map((c) => `${c}\n`).join(''));
  writeFileSync(path.join(out, 'config-dir'), plan.configDir);
  for (const file of plan.configFiles) writeFileSync(path.join(out, 'config', file.key), file.content);
}
