package io.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates for TLS tests, made with the JDK's own keytool in PKCS#12 stores and written out as PEM. */
public final class Keytool {

  private static final String STORE_PASSWORD = "changeit";

  private Keytool() {}

  /** Runs keytool with {@code args} on a PKCS#12 store; fails the test with keytool's output if it fails. */
  public static void run(String... args) throws Exception {
    Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
    List<String> command = new ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
  }

  public static KeyStore load(Path store) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, STORE_PASSWORD.toCharArray());
    }
    return keyStore;
  }

  /** Writes the certificate of {@code alias} in {@code store} to {@code file} as PEM. */
  public static Path certificatePem(Path store, String alias, Path file) throws Exception {
    Files.writeString(file, pem("CERTIFICATE", load(store).getCertificate(alias).getEncoded()));
    return file;
  }

  /** Writes the private key of {@code alias} in {@code store} to {@code file} as PKCS#8 PEM. */
  public static Path privateKeyPem(Path store, String alias, Path file) throws Exception {
    Files.writeString(file, pem("PRIVATE KEY",
        load(store).getKey(alias, STORE_PASSWORD.toCharArray()).getEncoded()));
    return file;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
