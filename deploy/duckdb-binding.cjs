// A Serverless Framework plugin (serverless.yml `plugins`): before packaging, makes sure node_modules holds
// DuckDB's binding built for Lambda's Linux on x86_64 (@duckdb/node-bindings-linux-x64), which the compactor's
// package takes. npm installs only the binding of the machine it runs on: on any other (a Mac, Linux on ARM)
// the same version is fetched from the npm registry.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const BINDING = '@duckdb/node-bindings-linux-x64';

function ensureLinuxBinding(log = () => undefined) {
  const target = join(ROOT, 'node_modules', BINDING);
  if (existsSync(join(target, 'package.json'))) return target;
  const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@duckdb', 'node-bindings', 'package.json'), 'utf8'));
  log(`Fetching ${BINDING}@${version} from the npm registry for the compactor (Lambda runs Linux x64).`);
  const temp = mkdtempSync(join(tmpdir(), 'duckdb-binding-'));
  try {
    const file = execFileSync('npm', ['pack', `${BINDING}@${version}`, '--silent', '--pack-destination', temp], { encoding: 'utf8' }).trim();
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(temp, file.split('\n').at(-1)), '-C', target, '--strip-components=1']);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return target;
}

class DuckdbBinding {
  constructor(serverless) {
    this.hooks = { 'before:package:initialize': () => void ensureLinuxBinding((message) => serverless.cli.log(message)) };
  }
}

module.exports = DuckdbBinding;
module.exports.ensureLinuxBinding = ensureLinuxBinding;
