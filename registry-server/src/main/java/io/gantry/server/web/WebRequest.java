package io.gantry.server.web;

import io.gantry.server.ops.QueryString;
import io.gantry.server.ops.HttpCall;
import io.gantry.server.auth.HeaderIdentityInterceptor;
import io.gantry.server.auth.WebSessionInterceptor;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PromotionsGrpc;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One browser request: its parameters, its session, and stubs to the gRPC services that name that session, so each
 * call runs as the signed-in caller and is checked, refused and audited exactly as the same call over gRPC.
 */
final class WebRequest {

  private static final int MAX_FORM_BYTES = 64 << 10;
  private static final long CALL_SECONDS = 30;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> USER =
      Metadata.Key.of(HeaderIdentityInterceptor.HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> SESSION =
      Metadata.Key.of(WebSessionInterceptor.HEADER, Metadata.ASCII_STRING_MARSHALLER);

  final HttpCall call;
  final WebSession session;
  /** Whether the server trusts the identity header (the loopback default) rather than verifying callers. */
  final boolean headerIdentity;
  private final Channel channel;
  private final Map<String, String> query;
  private Map<String, String> form;

  WebRequest(HttpCall call, Channel channel, boolean headerIdentity) {
    this.call = call;
    this.channel = channel;
    this.headerIdentity = headerIdentity;
    this.session = WebSession.of(call);
    this.query = parse(Optional.ofNullable(call.rawQuery()).orElse(""));
  }

  /** A query parameter, empty when absent. */
  String param(String name) {
    return query.getOrDefault(name, "");
  }

  /** A field of the posted form, empty when absent. */
  String field(String name) throws IOException {
    if (form == null) {
      try (InputStream body = call.body()) {
        byte[] bytes = body.readNBytes(MAX_FORM_BYTES + 1);
        if (bytes.length > MAX_FORM_BYTES) {
          throw new WebError(413, "the form is larger than " + MAX_FORM_BYTES + " bytes");
        }
        form = parse(new String(bytes, StandardCharsets.UTF_8));
      }
    }
    return form.getOrDefault(name, "");
  }

  ModelRegistryGrpc.ModelRegistryBlockingStub registry() {
    return carry(ModelRegistryGrpc.newBlockingStub(channel));
  }

  PromotionsGrpc.PromotionsBlockingStub promotions() {
    return carry(PromotionsGrpc.newBlockingStub(channel));
  }

  AuditGrpc.AuditBlockingStub audit() {
    return carry(AuditGrpc.newBlockingStub(channel));
  }

  AccessControlGrpc.AccessControlBlockingStub access() {
    return carry(AccessControlGrpc.newBlockingStub(channel));
  }

  /** A stub calling with {@code credential}, as a gRPC client would send it: the sign-in form's check. */
  AccessControlGrpc.AccessControlBlockingStub accessAs(String credential) {
    Metadata metadata = new Metadata();
    metadata.put(headerIdentity ? USER : AUTHORIZATION, headerIdentity ? credential : "Bearer " + credential);
    return attach(AccessControlGrpc.newBlockingStub(channel), metadata);
  }

  /** The stub naming the browser's session, if it has one (without, calls go unidentified). */
  private <S extends AbstractStub<S>> S carry(S stub) {
    Metadata metadata = new Metadata();
    session.id().ifPresent(id -> metadata.put(SESSION, id));
    return attach(stub, metadata);
  }

  private static <S extends AbstractStub<S>> S attach(S stub, Metadata metadata) {
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
        .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
  }

  private static Map<String, String> parse(String encoded) {
    try {
      Map<String, String> first = new HashMap<>();
      QueryString.parse(encoded).forEach((name, values) -> first.put(name, values.get(0)));
      return first;
    } catch (IllegalArgumentException e) {
      throw new WebError(400, e.getMessage());
    }
  }

}
