import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCerts {
  dir: string;
  /** The CA that signs the server and client certificates below. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A second CA, unrelated to the first, with a server certificate of its own (an impostor). */
  rogueCaFile: string;
  rogueServerCertFile: string;
  rogueServerKeyFile: string;
  /** A certificate of the right CA that expired long ago. */
  expiredServerCertFile: string;
}

let cached: TestCerts | undefined;

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function leaf(dir: string, name: string, caName: string, ext: string, days: string, startDate?: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  if (startDate) {
    // `openssl ca` is the only way to back-date a certificate; a minimal database makes it work.
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), '1000\n');
    fs.writeFileSync(
      path.join(dir, 'ca.cnf'),
      `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n`,
    );
    openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', `${caName}.crt`, '-keyfile', `${caName}.key`, '-in', `${name}.csr`, '-out', `${name}.crt`, '-startdate', startDate, '-enddate', '20000102000000Z', '-extfile', `${name}.ext`, '-notext']);
    return;
  }
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', days, '-extfile', `${name}.ext`]);
}

/**
 * Certificates for TLS tests, made once per test process with the openssl CLI (Debian's `openssl` package): a CA,
 * a server certificate for localhost/127.0.0.1, a client certificate for mutual TLS, an impostor CA with its own
 * server certificate, and an expired server certificate.
 */
export function testCerts(): TestCerts {
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-certs-'));
  ca(dir, 'ca');
  ca(dir, 'rogue-ca');
  const serverExt = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';
  leaf(dir, 'server', 'ca', serverExt, '2');
  leaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n', '2');
  leaf(dir, 'rogue-server', 'rogue-ca', serverExt, '2');
  leaf(dir, 'expired-server', 'ca', serverExt, '1', '20000101000000Z');
  const f = (n: string) => path.join(dir, n);
  cached = {
    dir,
    caFile: f('ca.crt'),
    serverCertFile: f('server.crt'),
    serverKeyFile: f('server.key'),
    clientCertFile: f('client.crt'),
    clientKeyFile: f('client.key'),
    rogueCaFile: f('rogue-ca.crt'),
    rogueServerCertFile: f('rogue-server.crt'),
    rogueServerKeyFile: f('rogue-server.key'),
    expiredServerCertFile: f('expired-server.crt'),
  };
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return cached;
}
