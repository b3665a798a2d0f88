#!/usr/bin/env node
// Writes docs/paper-reproduction.md from what paper.sh exported with the plugin into DIR:
// names.json (benchmarks.mjs --names), compare.json (compare -o json, Figure 3), <benchmark>.json
// (export -o json), not-measured.json (data path: why) and machine.json (commit, date, the node's
// bridge netfilter). The analysis is test/paper/reproduction.ts.
// Usage: report.mjs DIR
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = process.argv[2];
if (!dir) throw new Error('usage: report.mjs DIR (the exports of paper.sh)');
const read = (name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));

const bundled = await build({
  entryPoints: [path.join(root, 'test/paper/reproduction.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
});
const { reproductionMarkdown } = await import(
  `data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`
);

const names = read('names.json');
const runOf = (benchmark) => read(`${benchmark}.json`);
const figure2 = names.figure2.map(runOf);
const doc = reproductionMarkdown({
  machine: {
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    cpus: os.cpus().length,
    kernel: os.release(),
    // The commit, date and node settings when the runs began, which paper.sh recorded: the report
    // may be written again later from the same exports.
    ...read('machine.json'),
  },
  figure2,
  figure3: read('compare.json'),
  table1: names.table1.map(runOf),
  bursts: runOf(names.bursts[0]),
  notMeasured: read('not-measured.json'),
  figureFiles: {
    figure2: Object.fromEntries(figure2.map(({ datapath }) => [datapath, `figures/paper/figure2-${datapath}.svg`])),
    figure3: 'figures/paper/figure3.svg',
  },
});
writeFileSync(path.join(root, 'docs/paper-reproduction.md'), doc);
process.stdout.write(`wrote docs/paper-reproduction.md\n`);
