package io.gantry.server.imports;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model as another registry recorded it.
 *
 * @param createTime empty: the time of the import
 * @param createdBy empty: the importing caller
 * @param aliases alias → version number
 */
public record ImportedModel(String modelId, String description, Map<String, String> tags, Optional<Instant> createTime,
    String createdBy, List<ImportedVersion> versions, Map<String, Long> aliases) {}
