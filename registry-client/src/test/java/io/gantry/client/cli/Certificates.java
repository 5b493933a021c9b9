package io.gantry.client.cli;

import io.gantry.server.Keytool;
import java.nio.file.Path;

/** Certificates for TLS tests in one folder, made with the server tests' {@link Keytool}, written out as PEM. */
final class Certificates {

  private final Path dir;

  /** Stores and PEM files go to {@code dir}. */
  Certificates(Path dir) {
    this.dir = dir;
  }

  /** A self-signed certificate for 127.0.0.1 and localhost: {@code NAME.crt} and {@code NAME.key}. */
  void selfSigned(String name, String subject) throws Exception {
    Keytool.run("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store(name));
    writePem(name);
  }

  /** A certificate authority: {@code NAME.crt}. */
  void authority(String name, String subject) throws Exception {
    Keytool.run("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-ext", "bc:c", "-validity", "2", "-keystore", store(name));
    writePem(name);
  }

  /** A certificate for {@code name} signed by {@code authority}: {@code NAME.crt} and {@code NAME.key}. */
  void issue(String authority, String name, String subject, String san) throws Exception {
    Keytool.run("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-validity", "2", "-keystore", store(name));
    Keytool.run("-certreq", "-alias", name, "-keystore", store(name), "-file", dir.resolve(name + ".csr").toString());
    Keytool.run("-gencert", "-rfc", "-alias", authority, "-keystore", store(authority), "-infile",
        dir.resolve(name + ".csr").toString(), "-outfile", crt(name).toString(), "-validity", "2", "-ext", san);
    Keytool.privateKeyPem(Path.of(store(name)), name, key(name));
  }

  Path crt(String name) {
    return dir.resolve(name + ".crt");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  private void writePem(String name) throws Exception {
    Keytool.certificatePem(Path.of(store(name)), name, crt(name));
    Keytool.privateKeyPem(Path.of(store(name)), name, key(name));
  }

  private String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }
}
