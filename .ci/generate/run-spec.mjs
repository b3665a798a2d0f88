// Writes the SwitchBenchmark's spec schema into the run CRD as the schema of spec.benchmark, so that
// the apiserver holds a run created by hand to exactly the rules of a benchmark (enums, patterns,
// bounds, CEL) instead of storing whatever it is given. `--check` fails when the run CRD is stale.
// Text in, text out: the rest of the run CRD is left byte for byte.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root, writeOrCheck } from './output.mjs';

const benchmarkCrd = path.join(root, 'crds/switchbench.io_switchbenchmarks.yaml');
const runCrd = path.join(root, 'crds/switchbench.io_switchbenchmarkruns.yaml');

const DESCRIPTION = [
  'description: >-',
  '  Snapshot of the SwitchBenchmark spec, defaulted and validated there. Its schema is the',
  "  SwitchBenchmark's spec schema (generated from it), so a run created any other way is held to the",
  '  same rules.',
];

const indentOf = (line) => line.search(/\S/);

/** The lines of the block opened by lines[start], up to the next line as shallow as it. */
function blockEnd(lines, start) {
  const indent = indentOf(lines[start]);
  const end = lines.findIndex((l, i) => i > start && l.trim() && indentOf(l) <= indent);
  return end < 0 ? lines.length : end;
}

/** The first line after `after` that is exactly `key:` at `indent` spaces. */
function keyLine(lines, key, indent, after = 0) {
  const at = lines.findIndex((l, i) => i > after && l === `${' '.repeat(indent)}${key}:`);
  if (at < 0) throw new Error(`no "${key}:" at indent ${indent}`);
  return at;
}

/** The line of spec under openAPIV3Schema's properties. */
function specLine(lines) {
  const schema = lines.findIndex((l) => l.trim() === 'openAPIV3Schema:');
  const properties = keyLine(lines, 'properties', indentOf(lines[schema]) + 2, schema);
  return keyLine(lines, 'spec', indentOf(lines[properties]) + 2, properties);
}

/** The body of the benchmark's spec schema without its own description, its children at `indent`. */
function benchmarkSpecBody(lines, indent) {
  const spec = specLine(lines);
  const body = lines.slice(spec + 1, blockEnd(lines, spec));
  const childIndent = indentOf(body[0]);
  const shift = indent - childIndent;
  const out = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i];
    if (indentOf(line) === childIndent && line.trimStart().startsWith('description:')) {
      while (i + 1 < body.length && (!body[i + 1].trim() || indentOf(body[i + 1]) > childIndent)) i++;
      continue;
    }
    out.push(line.trim() ? ' '.repeat(shift) + line : line);
  }
  return out;
}

function withBenchmarkSchema(runText, benchmarkText) {
  const lines = runText.split('\n');
  const spec = specLine(lines);
  const specProperties = keyLine(lines, 'properties', indentOf(lines[spec]) + 2, spec);
  const benchmark = keyLine(lines, 'benchmark', indentOf(lines[specProperties]) + 2, specProperties);
  const inner = indentOf(lines[benchmark]) + 2;
  const body = benchmarkSpecBody(benchmarkText.split('\n'), inner);
  return [
    ...lines.slice(0, benchmark + 1),
    ...DESCRIPTION.map((l) => ' '.repeat(inner) + l),
    ...body,
    ...lines.slice(blockEnd(lines, benchmark)),
  ].join('\n');
}

writeOrCheck(runCrd, withBenchmarkSchema(readFileSync(runCrd, 'utf8'), readFileSync(benchmarkCrd, 'utf8')), {
  matches: "the run CRD's spec.benchmark schema matches the SwitchBenchmark's spec",
  stale: "spec.benchmark differs from the SwitchBenchmark's spec schema",
});
