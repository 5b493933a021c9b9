package io.gantry.server.webhook;

import io.gantry.server.common.ModelGlob;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A subscription: where to POST which events of which models. Its secret stays with the repository and the
 * dispatcher; nothing that describes a webhook carries it.
 *
 * @param eventTypes the CloudEvents types sent; empty for all
 */
public record Webhook(String id, String url, List<String> eventTypes, String modelPattern, String description,
    Instant createTime, String createdBy) {

  public static final String PREFIX = "webhooks/";
  public static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  public String name() {
    return PREFIX + id;
  }

  /** Whether an event of {@code type} about {@code model} goes to this webhook. */
  boolean wants(String type, String model) {
    return (eventTypes.isEmpty() || eventTypes.contains(type)) && ModelGlob.compile(modelPattern).matcher(model)
        .matches();
  }
}
