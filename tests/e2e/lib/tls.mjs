// A throwaway self-signed certificate for a TLS tuskd on loopback. The e2e tests and
// tools/bench/bench-tls.mjs both use it (Node built-ins only, so the bench can import it).
// Made by the openssl CLI because Node's crypto cannot issue X.509 certificates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// -> {certPath, keyPath, cert (PEM), cleanup()}. EC P-256 for CN=localhost, valid for
// DNS:localhost and IP:127.0.0.1 (clients check the IP SAN when they connect to 127.0.0.1).
export function makeSelfSignedCert({ days = 2 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tuskd-tls-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', String(days),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), cleanup };
  } catch (err) {
    cleanup();
    throw new Error(`openssl could not make a test certificate: ${err.stderr?.toString().trim() || err.message}`);
  }
}
