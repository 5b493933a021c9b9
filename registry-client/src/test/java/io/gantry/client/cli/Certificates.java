package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made with the JDK's own keytool in PKCS#12 stores and written out as PEM (a copy of the
 * server tests' Keytool, whose test classes are not on this module's classpath).
 */
final class Certificates {

  private static final String STORE_PASSWORD = "changeit";

  private final Path dir;

  /** Stores and PEM files go to {@code dir}. */
  Certificates(Path dir) {
    this.dir = dir;
  }

  /** A self-signed certificate for 127.0.0.1 and localhost: {@code NAME.crt} and {@code NAME.key}. */
  void selfSigned(String name, String subject) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store(name));
    writePem(name);
  }

  /** A certificate authority: {@code NAME.crt}. */
  void authority(String name, String subject) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-ext", "bc:c", "-validity", "2", "-keystore", store(name));
    writePem(name);
  }

  /** A certificate for {@code name} signed by {@code authority}: {@code NAME.crt} and {@code NAME.key}. */
  void issue(String authority, String name, String subject, String san) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-validity", "2", "-keystore", store(name));
    keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", dir.resolve(name + ".csr").toString());
    keytool("-gencert", "-rfc", "-alias", authority, "-keystore", store(authority), "-infile",
        dir.resolve(name + ".csr").toString(), "-outfile", crt(name).toString(), "-validity", "2", "-ext", san);
    Files.writeString(key(name), pem("PRIVATE KEY",
        load(name).getKey(name, STORE_PASSWORD.toCharArray()).getEncoded()));
  }

  Path crt(String name) {
    return dir.resolve(name + ".crt");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  private void writePem(String name) throws Exception {
    KeyStore store = load(name);
    Files.writeString(crt(name), pem("CERTIFICATE", store.getCertificate(name).getEncoded()));
    Files.writeString(key(name), pem("PRIVATE KEY", store.getKey(name, STORE_PASSWORD.toCharArray()).getEncoded()));
  }

  private String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private KeyStore load(String name) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(store(name)))) {
      keyStore.load(in, STORE_PASSWORD.toCharArray());
    }
    return keyStore;
  }

  private static void keytool(String... args) throws Exception {
    Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
    List<String> command = new ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
