// The examples and the invalid-manifest corpus, shared by the unit tier (semantic validation, schema)
// and the cluster tier (the real apiserver: OpenAPI and CEL). Each invalid manifest says in its header
// who rejects it and a substring of the message the user sees:
//   # rejected-by: apiserver | controller
//   # expect: <substring>
// apiserver entries are created with fieldValidation=Strict, as kubectl apply does by default.
import { readFileSync, readdirSync } from 'node:fs';
import { ApiException } from '@kubernetes/client-node';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface InvalidManifest {
  file: string;
  object: Record<string, unknown>;
  rejectedBy: 'apiserver' | 'controller';
  expect: string;
}

export interface ExampleFile {
  file: string;
  objects: Record<string, unknown>[];
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));

const parseObjects = (file: string): Record<string, unknown>[] =>
  parseAllDocuments(readFileSync(path.join(root, file), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Record<string, unknown>;
  });

function header(file: string, text: string, key: string): string {
  const match = new RegExp(`^# ${key}: (.+)$`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`${file} lacks its "# ${key}:" header line`);
  return match[1].trim();
}

export function loadInvalidCorpus(): InvalidManifest[] {
  return yamlFiles('test/invalid').map((file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    const rejectedBy = header(file, text, 'rejected-by');
    if (rejectedBy !== 'apiserver' && rejectedBy !== 'controller') {
      throw new Error(`${file}: rejected-by must be apiserver or controller, not ${rejectedBy}`);
    }
    const objects = parseObjects(file);
    if (objects.length !== 1 || !objects[0]) throw new Error(`${file} must hold exactly one manifest`);
    return { file, object: objects[0], rejectedBy, expect: header(file, text, 'expect') };
  });
}

/** The status code and message the apiserver refused `request` with, or undefined if it accepted it. */
export async function apiRefusal(request: Promise<unknown>): Promise<string | undefined> {
  try {
    await request;
    return undefined;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
    return `${err.code}: ${(JSON.parse(body) as { message?: string }).message ?? body}`;
  }
}

export function loadExamples(): ExampleFile[] {
  return yamlFiles('examples').map((file) => ({ file, objects: parseObjects(file) }));
}

export function loadCrds(): Record<string, unknown>[] {
  return yamlFiles('crds').flatMap(parseObjects);
}
