package io.gantry.client;

import io.gantry.v1.ArtifactFile;
import java.nio.file.Path;

/**
 * A file on this machine as a version will hold it: its header (path in the version, size and SHA-256, as hashed
 * before uploading) and where its bytes are.
 */
public record LocalArtifact(ArtifactFile header, Path file) {}
