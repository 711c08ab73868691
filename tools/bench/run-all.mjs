#!/usr/bin/env node
// Runs the benchmark suite the way docs/benchmarks.md reports it: machine description,
// `openssl speed -evp sha256` for reference, then each tusk-bench subcommand --repeat times
// (default 2). Everything goes to stdout; the JSON lines are what the doc quotes.
//   node tools/bench/run-all.mjs [--bin PATH] [--repeat 2] [--only single,slow,crash,concat,tls] [--wait-idle 0.8]
// Exit status: the worst tusk-bench exit status (0 ok, 1 violation/error, 2 target missed).

import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, parseArgs } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const opts = parseArgs(process.argv.slice(2));
const repeat = Number(opts.repeat ?? 2);
const only = (opts.only ?? 'single,slow,crash,concat,tls').split(',');
const common = [];
if (opts.bin) common.push('--bin', opts.bin);
if (opts['wait-idle']) common.push('--wait-idle', opts['wait-idle'], '--wait-max', opts['wait-max'] ?? '10m');

const suites = {
  single: ['single', '--size', '1G'],
  slow: ['slow', '--uploads', '200', '--size', '8M'],
  crash: ['crash', '--uploads', '20', '--size', '16M', '--rounds', '3'],
  concat: ['concat', '--size', '1G', '--parts', '4'],
  tls: ['tls', '--size', '1G', '--connections', '1000'],
};

function openssl() {
  const r = spawnSync('openssl', ['speed', '-evp', 'sha256', '-bytes', '262144', '-seconds', '3'],
    { encoding: 'utf8', timeout: 60000 });
  const lines = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n');
  return lines.filter((l) => /sha256|SHA256|^version|^built|^type/i.test(l) || /Doing/.test(l)).join('\n');
}

function bench(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, 'tusk-bench.mjs'), ...args, ...common], { stdio: 'inherit' });
    const stop = () => child.kill('SIGINT');
    process.once('SIGINT', stop);
    child.on('exit', (code) => { process.off('SIGINT', stop); resolve(code ?? 1); });
  });
}

const m = machineInfo();
console.log(`# run-all ${new Date().toISOString()}: nproc ${m.nproc}, cpu ${m.cpu}, kernel ${m.kernel}, node ${m.node}, load ${m.loadavg.join(' ')}`);
let worst = 0;
for (let i = 1; i <= repeat; i++) {
  console.log(`\n## openssl speed, run ${i}\n${openssl()}`);
  for (const name of only) {
    console.log(`\n## ${name}, run ${i}: node tools/bench/tusk-bench.mjs ${suites[name].join(' ')}`);
    const code = await bench(suites[name]);
    if (code === 1) worst = 1;
    else if (code !== 0 && worst === 0) worst = code;
  }
}
process.exit(worst);
