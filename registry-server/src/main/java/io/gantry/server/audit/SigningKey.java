package io.gantry.server.audit;

import io.gantry.server.common.SecretFiles;
import io.gantry.server.config.ConfigException;
import io.gantry.tlog.NoteSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** The checkpoint signing key: read from its file, or generated into it on first start. */
public final class SigningKey {

  private SigningKey() {}

  public static NoteSigner load(Path file, String origin) {
    try {
      if (Files.exists(file)) {
        byte[] pkcs8 = Base64.getMimeDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        return NoteSigner.fromPkcs8(origin, pkcs8);
      }
      NoteSigner generated = NoteSigner.generate(origin);
      SecretFiles.create(file);
      Files.writeString(file, Base64.getEncoder().encodeToString(generated.privateKeyPkcs8()) + "\n",
          StandardCharsets.US_ASCII);
      return generated;
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("cannot use the audit signing key " + file + ": " + e.getMessage(), e);
    }
  }
}
