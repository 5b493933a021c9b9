package io.gantry.server.wire;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.rowCounts;
import static io.gantry.server.TestRegistry.uniqueModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import io.gantry.server.TestRegistry;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.UploadArtifactsRequest;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Requests sent as bytes, the way a client in another language can send them: every method of every service the
 * server serves gets a documented status for damaged bytes, never UNKNOWN or INTERNAL, stores nothing, and the
 * server goes on serving. Methods are read from the running server, so a new RPC is covered without a new test.
 */
class WireInputTest {

  /** {@code a}, two bytes that are no UTF-8, {@code b}: what the non-Java client sent as a model id. */
  private static final byte[] NOT_UTF8 = {0x61, (byte) 0xff, (byte) 0xfe, 0x62};

  @Test
  void everyMethod_refusesAStringFieldThatIsNotUtf8_namingTheField() {
    Map<String, Integer> before = rowCounts();
    List<String> checked = new ArrayList<>();

    for (ServerMethodDefinition<?, ?> method : servedMethods()) {
      Descriptor input = inputType(method);
      Optional<List<FieldDescriptor>> path = firstStringField(input, 0);
      if (path.isEmpty()) {
        continue;
      }
      var ending = call(method, nested(path.get(), NOT_UTF8));

      String name = method.getMethodDescriptor().getFullMethodName();
      assertThat(ending.status().getCode()).as(name).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(TestRegistry.errorInfo(ending.asException()).getReason()).as(name).isEqualTo("INVALID_FIELD");
      assertThat(TestRegistry.violations(ending.asException())).as(name)
          .extracting(v -> v.getField()).containsExactly(fieldPath(path.get()));
      checked.add(name);
    }

    assertThat(checked).as("methods with a string field").hasSizeGreaterThan(40)
        .contains("gantry.v1.ModelRegistry/CreateModel", "gantry.v1.Artifacts/UploadArtifacts",
            "grpc.health.v1.Health/Check");
    assertThat(rowCounts()).isEqualTo(before);
    assertServing();
  }

  @Test
  void everyMethod_refusesTruncatedAndGarbageBytes_asMalformedRequest() {
    Map<String, Integer> before = rowCounts();
    // field 1, length-delimited, 9 bytes announced and 1 sent; then bytes that start no field at all
    List<byte[]> damaged = List.of(new byte[] {0x0a, 0x09, 0x61},
        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, new byte[] {0x00, 0x01});

    for (ServerMethodDefinition<?, ?> method : servedMethods()) {
      for (byte[] bytes : damaged) {
        var ending = call(method, bytes);

        String name = method.getMethodDescriptor().getFullMethodName();
        assertThat(ending.status().getCode()).as(name).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(TestRegistry.errorInfo(ending.asException()).getReason()).as(name).isEqualTo("MALFORMED_REQUEST");
        assertThat(ending.status().getDescription()).as(name).startsWith("the request is not a valid ");
      }
    }

    assertThat(rowCounts()).isEqualTo(before);
    assertServing();
  }

  @Test
  void nestedFields_areNamedByTheirPath() {
    Map<String, Integer> before = rowCounts();
    FieldDescriptor model = CreateModelRequest.getDescriptor().findFieldByName("model");
    FieldDescriptor description = RegisteredModel.getDescriptor().findFieldByName("description");
    byte[] tags = field(RegisteredModel.getDescriptor().findFieldByName("tags"),
        concat(field(1, NOT_UTF8), field(2, "v".getBytes())));
    byte[] secondFileBadPath = concat(field(1, "models/x/versions/1".getBytes()),
        field(2, field(1, "ok".getBytes())), field(2, field(1, NOT_UTF8)));

    assertThat(violation(ModelRegistryGrpc.getCreateModelMethod(),
        concat(field(1, "ok".getBytes()), nested(List.of(model, description), NOT_UTF8))))
        .isEqualTo("model.description");
    assertThat(violation(ModelRegistryGrpc.getCreateModelMethod(), concat(field(1, "ok".getBytes()),
        field(model, tags)))).isEqualTo("model.tags");
    assertThat(violation(ArtifactsGrpc.getFinalizeVersionMethod(), secondFileBadPath)).isEqualTo("files[1].path");
    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void aMessageCutShortInsideANestedField_namesThatField() {
    byte[] cut = concat(field(1, "ok".getBytes()), new byte[] {0x12, 0x03, 0x12, 0x40, 0x61});

    var ending = call(ModelRegistryGrpc.getCreateModelMethod(), cut);

    assertThat(TestRegistry.errorInfo(ending.asException()).getReason()).isEqualTo("MALFORMED_REQUEST");
    assertThat(TestRegistry.violations(ending.asException())).extracting(v -> v.getField())
        .containsExactly("model.description");
  }

  @Test
  void unknownFields_areAcceptedAndDropped_soARetryWithOtherUnknownFieldsIsTheSameRequest() {
    String model = uniqueModel("unknown");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    byte[] request = CreateModelVersionRequest.newBuilder().setParent("models/" + model)
        .setModelVersion(ModelVersion.newBuilder().setDescription("first"))
        .setRequestId("retry-" + model).build().toByteArray();
    // field 999 (varint) and field 1000 (bytes): fields this server has never heard of
    byte[] withUnknown = concat(request, new byte[] {(byte) 0xb8, 0x3e, 0x07}, field(1000, "x".getBytes()));

    var first = call(ModelRegistryGrpc.getCreateModelVersionMethod(), withUnknown);
    var retry = call(ModelRegistryGrpc.getCreateModelVersionMethod(), request);

    assertThat(first.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(retry.status().getCode()).as("the same request_id, the same request").isEqualTo(Status.Code.OK);
    assertThat(registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build())
        .getLatestVersion()).isEqualTo(1);
  }

  @Test
  void anUploadWhoseFirstMessageIsAChunk_isInvalidArgumentNamingVersion() {
    Map<String, Integer> before = rowCounts();
    byte[] chunk = UploadArtifactsRequest.newBuilder()
        .setChunk(com.google.protobuf.ByteString.copyFromUtf8("data")).build().toByteArray();

    var ending = RawCalls.call(TestRegistry.channel(), ArtifactsGrpc.getUploadArtifactsMethod().getFullMethodName(),
        MethodDescriptor.MethodType.CLIENT_STREAMING, "alice", List.of(chunk, chunk));

    assertThat(ending.status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(TestRegistry.violations(ending.asException())).extracting(v -> v.getField()).contains("version");
    assertThat(rowCounts()).isEqualTo(before);
  }

  @Test
  void aMessageOverTheSizeLimit_isResourceExhausted() {
    byte[] huge = field(1, new byte[17 << 20]);

    var ending = call(ModelRegistryGrpc.getCreateModelMethod(), huge);

    assertThat(ending.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertServing();
  }

  private static String violation(MethodDescriptor<?, ?> method, byte[] bytes) {
    var ending = call(method, bytes);
    assertThat(ending.status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    var violations = TestRegistry.violations(ending.asException());
    assertThat(violations).hasSize(1);
    return violations.get(0).getField();
  }

  static void assertServing() {
    String model = uniqueModel("after");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    assertThat(registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build()).getName())
        .isEqualTo("models/" + model);
  }

  private static List<ServerMethodDefinition<?, ?>> servedMethods() {
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    TestRegistry.servedServices().forEach(service -> methods.addAll(service.getMethods()));
    return methods;
  }

  private static RawCalls.Ending call(ServerMethodDefinition<?, ?> method, byte[] bytes) {
    return call(method.getMethodDescriptor(), bytes);
  }

  private static RawCalls.Ending call(MethodDescriptor<?, ?> method, byte[] bytes) {
    return RawCalls.call(TestRegistry.channel(), method.getFullMethodName(), method.getType(), "alice",
        List.of(bytes));
  }

  private static Descriptor inputType(ServerMethodDefinition<?, ?> method) {
    return ((ProtoMethodDescriptorSupplier) method.getMethodDescriptor().getSchemaDescriptor()).getMethodDescriptor()
        .getInputType();
  }

  /** The first string field of {@code type}, depth first: a top-level one when there is one, else a nested one. */
  private static Optional<List<FieldDescriptor>> firstStringField(Descriptor type, int depth) {
    for (FieldDescriptor field : type.getFields()) {
      if (field.getType() == FieldDescriptor.Type.STRING) {
        return Optional.of(List.of(field));
      }
    }
    if (depth < 3) {
      for (FieldDescriptor field : type.getFields()) {
        if (field.getType() == FieldDescriptor.Type.MESSAGE && !field.isMapField()) {
          Optional<List<FieldDescriptor>> inner = firstStringField(field.getMessageType(), depth + 1);
          if (inner.isPresent()) {
            List<FieldDescriptor> path = new ArrayList<>(List.of(field));
            path.addAll(inner.get());
            return Optional.of(path);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static String fieldPath(List<FieldDescriptor> path) {
    return String.join(".", path.stream()
        .map(f -> f.isRepeated() ? f.getName() + "[0]" : f.getName()).toList());
  }

  /** {@code value} as the innermost field of {@code path}, wrapped in each message field on the way. */
  private static byte[] nested(List<FieldDescriptor> path, byte[] value) {
    byte[] bytes = value;
    for (int i = path.size() - 1; i >= 0; i--) {
      bytes = field(path.get(i), bytes);
    }
    return bytes;
  }

  private static byte[] field(FieldDescriptor field, byte[] value) {
    return field(field.getNumber(), value);
  }

  /** One length-delimited field. */
  private static byte[] field(int number, byte[] value) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(value.length);
      out.writeRawBytes(value);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      bytes.writeBytes(part);
    }
    return bytes.toByteArray();
  }
}
