/**
 * A throwaway PKI made with openssl at test time, in a temp dir: a CA, the server's certificate
 * (SAN IP:127.0.0.1, DNS:localhost; Go's TLS, hence kubectl, ignores the CN) and client certificates
 * (CN = user name, O = groups), as kube-apiserver's x509 authenticator reads them.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

const openssl = (args: readonly string[], cwd: string): void => {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
};

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export class Pki {
  /** The temp dir (removed by dispose): also where exec plugins read tokens. */
  readonly dir = mkdtempSync(join(tmpdir(), "standin-pki-"));
  readonly ca: KeyPair;
  readonly server: KeyPair;
  #serial = 1;

  constructor() {
    const dir = this.dir;
    openssl(
      ["req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=standin-ca",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
      dir,
    );
    this.ca = { certPem: readFileSync(join(dir, "ca.crt"), "utf8"), keyPem: readFileSync(join(dir, "ca.key"), "utf8") };
    this.server = this.#issue("server", "/CN=standin-apiserver", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  }

  #issue(name: string, subject: string, extensions: string): KeyPair {
    const dir = this.dir;
    writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n${extensions}`);
    openssl(["req", "-new", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir);
    openssl(
      ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", `0x${randomBytes(8).toString("hex")}`,
        "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`],
      dir,
    );
    return { certPem: readFileSync(join(dir, `${name}.crt`), "utf8"), keyPem: readFileSync(join(dir, `${name}.key`), "utf8") };
  }

  /** A client certificate for a user: CN=user, one O= per group. */
  client(user: string, groups: readonly string[]): KeyPair {
    const escape = (s: string): string => s.replace(/[/\\=+]/g, (c) => `\\${c}`);
    const subject = `/CN=${escape(user)}${groups.map((g) => `/O=${escape(g)}`).join("")}`;
    return this.#issue(`client-${this.#serial++}`, subject, "extendedKeyUsage=clientAuth\n");
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
