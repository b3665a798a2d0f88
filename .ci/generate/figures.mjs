// Writes each trial figure's definition from src/results/figures.ts into the run CRD's field
// descriptions, so the CRD, the README generated from it and the code that computes the figures say
// one thing. `--check` fails when the CRD is stale. The rest of the CRD is left byte for byte.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { root, writeOrCheck } from './output.mjs';

const crd = path.join(root, 'crds/switchbench.io_switchbenchmarkruns.yaml');
const WIDTH = 110;

async function figures() {
  const bundled = await build({
    entryPoints: [path.join(root, 'src/results/figures.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  const source = bundled.outputFiles[0].text;
  const module = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
  return module.TRIAL_FIGURES;
}

/** A folded block scalar, wrapped at WIDTH, that YAML reads back as `text`. */
function folded(indent, text) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return [`${indent}description: >-`, ...lines.map((l) => `${indent}  ${l}`)];
}

function withDescriptions(text, rows) {
  const lines = text.split('\n');
  // The first `trials:` is status.trials (the summary's per-point count comes later).
  const trials = lines.findIndex((l) => /^ +trials:$/.test(l));
  if (trials < 0) throw new Error('the run CRD has no status.trials');
  const propertiesAt = lines.findIndex((l, i) => i > trials && /^ +properties:$/.test(l));
  const fieldIndent = lines[propertiesAt].search(/\S/) + 2;
  const end = lines.findIndex((l, i) => i > propertiesAt && l.trim() && l.search(/\S/) < fieldIndent);
  const out = lines.slice(0, propertiesAt + 1);
  const wanted = new Map(rows.map((r) => [r.field, r.definition]));
  const seen = new Set();
  for (let i = propertiesAt + 1; i < end; i++) {
    const line = lines[i];
    out.push(line);
    const field = line.length - line.trimStart().length === fieldIndent && line.trim().replace(/:$/, '');
    if (!field || !wanted.has(field)) continue;
    seen.add(field);
    const inner = ' '.repeat(fieldIndent + 2);
    // Drop the field's old description (one line, or a block scalar with its deeper lines).
    if (lines[i + 1]?.startsWith(`${inner}description:`)) {
      i++;
      while (lines[i + 1] && lines[i + 1].search(/\S/) > inner.length) i++;
    }
    out.push(...folded(inner, wanted.get(field)));
  }
  const missing = [...wanted.keys()].filter((f) => !seen.has(f));
  if (missing.length) throw new Error(`the run CRD's status.trials has no field ${missing.join(', ')}`);
  return [...out, ...lines.slice(end)].join('\n');
}

const rows = await figures();
const current = readFileSync(crd, 'utf8');
const next = withDescriptions(current, rows);
const trialProperties =
  parse(next).spec.versions[0].schema.openAPIV3Schema.properties.status.properties.trials.items.properties;
for (const { field, definition } of rows) {
  if (trialProperties[field].description !== definition) throw new Error(`${field}: description did not round-trip`);
}
writeOrCheck(crd, next, {
  matches: 'trial figure definitions in the run CRD match src/results/figures.ts',
  stale: 'trial figure definitions are stale',
});
