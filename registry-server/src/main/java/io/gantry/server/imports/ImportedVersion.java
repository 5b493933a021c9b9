package io.gantry.server.imports;

import io.gantry.server.version.Version;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One version as another registry recorded it, under its number there.
 *
 * @param managedArtifacts the importer uploads its files: it is stored PENDING_UPLOAD until they are finalized
 */
public record ImportedVersion(long number, String source, String runId, String runLink, String description,
    Map<String, String> tags, Optional<Instant> createTime, String createdBy, Version.Status status,
    boolean managedArtifacts) {}
