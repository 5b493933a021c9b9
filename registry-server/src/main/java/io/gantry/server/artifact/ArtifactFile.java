package io.gantry.server.artifact;

/**
 * One file of a version.
 *
 * @param path relative and normalized, see {@link ArtifactPaths}
 * @param sha256 lower-case hex SHA-256 of its bytes
 */
public record ArtifactFile(String path, long size, String sha256) {}
