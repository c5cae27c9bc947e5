// Parse each Mermaid file given on the command line with Mermaid's own parser (mermaid.parse, the
// one GitHub's renderer runs first), under jsdom for the DOM that DOMPurify needs. Prints
// "ok FILE (TYPE)" or "error FILE: MESSAGE" per file; exits 1 when one does not parse.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = await mermaid.parse(readFileSync(file, 'utf8'));
    console.log(`ok ${file} (${r.diagramType})`);
  } catch (e) {
    failed += 1;
    console.log(`error ${file}: ${String(e.message).replace(/\n/g, ' | ')}`);
  }
}
process.exit(failed ? 1 : 0);
