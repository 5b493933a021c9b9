package io.gantry.server.artifact.store;

/**
 * Where an S3-compatible artifact store is and how to sign in to it.
 *
 * @param endpoint the server's URL, such as {@code http://minio:9000} or {@code https://s3.eu-west-1.amazonaws.com}
 * @param bucket created on open when missing
 * @param region empty to ask the server for the bucket's region
 */
public record S3Settings(String endpoint, String bucket, String accessKey, String secretKey, String region) {

  /** Leaves the secret key out, so the settings can be logged. */
  @Override
  public String toString() {
    return "S3Settings[endpoint=" + endpoint + ", bucket=" + bucket + ", accessKey=" + accessKey + ", region="
        + region + "]";
  }
}
