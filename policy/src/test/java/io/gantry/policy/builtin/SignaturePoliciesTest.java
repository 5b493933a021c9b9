package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.input;
import static io.gantry.policy.Snapshots.taxiSignature;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.policy.Candidate;
import io.gantry.policy.DataType;
import io.gantry.policy.DataType.ArrayType;
import io.gantry.policy.DataType.ObjectType;
import io.gantry.policy.DataType.Property;
import io.gantry.policy.DataType.Scalar;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.Signature;
import io.gantry.policy.Signature.ColumnSpec;
import io.gantry.policy.Signature.Schema;
import io.gantry.policy.Signature.TensorSpec;
import io.gantry.policy.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SignaturePoliciesTest {

  private static final Policies POLICIES = Policies.discover();
  private static final Candidate V1 = version(1).build();

  /** The champion's signature with its input columns edited. */
  private static Signature withInputs(UnaryOperator<List<ColumnSpec>> edit) {
    Signature signature = taxiSignature();
    List<ColumnSpec> columns = new ArrayList<>(((Schema.Columns) signature.inputs()).columns());
    return new Signature(new Schema.Columns(edit.apply(columns)), signature.outputs(), List.of());
  }

  private static List<ColumnSpec> replace(List<ColumnSpec> columns, ColumnSpec column) {
    columns.replaceAll(existing -> existing.name().equals(column.name()) ? column : existing);
    return columns;
  }

  @Nested
  class SignatureRequired {

    private final Policy policy = POLICIES.create("signature-required", Map.of());

    @Test
    void passes_whenTheCandidateHasASignature() {
      assertThat(policy.evaluate(input(V1, Optional.empty(), "champion"))).isEqualTo(Verdict.pass(
          "signature-required", "nyc-taxi-duration/1 has a signature", Map.of("has_signature", true)));
    }

    @Test
    void fails_whenTheCandidateHasNone() {
      Verdict verdict = policy.evaluate(input(version(2).withoutSignature().build(), Optional.empty(), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).isEqualTo(
          "nyc-taxi-duration/2 has no signature; log the model with one (mlflow.models.infer_signature)");
    }
  }

  @Nested
  class SignatureCompatible {

    private final Policy policy = POLICIES.create("signature-compatible", Map.of());

    private Verdict promote(Signature signature) {
      return policy.evaluate(input(version(3).signature(signature).build(), Optional.of(V1), "champion"));
    }

    @Test
    void passes_whenNoVersionHoldsTheAlias() {
      Verdict verdict = policy.evaluate(input(V1, Optional.empty(), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
      assertThat(verdict.message())
          .isEqualTo("no version holds champion yet, so there is no signature to stay compatible with");
    }

    @Test
    void passes_forTheSameSignature() {
      Verdict verdict = promote(taxiSignature());

      assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/3 accepts every input and produces every output"
          + " of the current champion nyc-taxi-duration/1");
    }

    @Test
    void fails_namingTheColumn_whenTheCandidateDropsAColumnTheChampionTakes() {
      Verdict verdict = promote(withInputs(columns -> {
        columns.removeIf(column -> column.name().equals("pickup_zone"));
        return columns;
      }));

      assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/3 is not compatible with the current champion"
          + " nyc-taxi-duration/1: drops input column 'pickup_zone' (string)");
      assertThat(verdict.facts()).containsEntry("problems", List.of("drops input column 'pickup_zone' (string)"));
    }

    @Test
    void passes_forSafeWidenings_andANewOptionalColumn() {
      Verdict verdict = promote(withInputs(columns -> {
        replace(columns, new ColumnSpec("passenger_count", Scalar.DOUBLE, true));
        replace(columns, new ColumnSpec("vendor_id", Scalar.LONG, false));
        columns.add(new ColumnSpec("weather", Scalar.STRING, false));
        return columns;
      }));

      assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    }

    @Test
    void fails_forANarrowedType_aNewRequiredColumn_andAColumnMadeRequired() {
      Verdict verdict = promote(withInputs(columns -> {
        replace(columns, new ColumnSpec("trip_distance", Scalar.FLOAT, true));
        replace(columns, new ColumnSpec("vendor_id", Scalar.INTEGER, true));
        columns.add(new ColumnSpec("weather", Scalar.STRING, true));
        return columns;
      }));

      assertThat(verdict.message()).isEqualTo("nyc-taxi-duration/3 is not compatible with the current champion"
          + " nyc-taxi-duration/1: input column 'trip_distance' changes type from double to float;"
          + " input column 'vendor_id' becomes required; adds required input column 'weather' (string)");
    }

    @Test
    void fails_whenAnOutputColumnChangesType() {
      Signature signature = new Signature(taxiSignature().inputs(),
          new Schema.Columns(List.of(new ColumnSpec("duration_minutes", Scalar.FLOAT, true))), List.of());

      assertThat(promote(signature).message()).endsWith(
          ": output column 'duration_minutes' changes type from double to float");
    }

    @Test
    void passes_whenTheCandidateDeclaresOutputsTheChampionDidNot() {
      Candidate current = version(1).signature(new Signature(taxiSignature().inputs(),
          new Schema.Columns(List.of()), List.of())).build();

      Verdict verdict = policy.evaluate(input(version(3).build(), Optional.of(current), "champion"));

      assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    }

    @Test
    void fails_whenTheCandidateHasNoSignatureButTheChampionHasOne() {
      Verdict verdict = policy.evaluate(input(version(3).withoutSignature().build(), Optional.of(V1), "champion"));

      assertThat(verdict.message()).isEqualTo(
          "nyc-taxi-duration/3 has no signature, but the current champion nyc-taxi-duration/1 has one");
    }

    @Test
    void comparesTensorSchemas_byDtypeAndShape() {
      Signature images = tensors(new TensorSpec("pixels", "float32", List.of(-1L, 28L, 28L)));
      Candidate current = version(1).signature(images).build();
      Candidate wider = version(2).signature(tensors(new TensorSpec("pixels", "float64", List.of(-1L, 28L, 28L))))
          .build();
      Candidate fixedBatch = version(3).signature(tensors(new TensorSpec("pixels", "float32", List.of(32L, 28L, 28L))))
          .build();

      assertThat(policy.evaluate(input(wider, Optional.of(current), "champion")).outcome()).isEqualTo(Outcome.PASS);
      assertThat(policy.evaluate(input(fixedBatch, Optional.of(current), "champion")).message()).endsWith(
          ": input tensor 'pixels' changes shape from [-1, 28, 28] to [32, 28, 28]");
    }

    private Signature tensors(TensorSpec input) {
      return new Signature(new Schema.Tensors(List.of(input)),
          new Schema.Tensors(List.of(new TensorSpec("", "float32", List.of(-1L, 10L)))), List.of());
    }
  }

  @Nested
  class Rules {

    @Test
    void scalarWidening_isIntegerToLongToDouble_andFloatToDouble() {
      assertThat(SignatureCompatibility.accepts(Scalar.LONG, Scalar.INTEGER)).isTrue();
      assertThat(SignatureCompatibility.accepts(Scalar.DOUBLE, Scalar.INTEGER)).isTrue();
      assertThat(SignatureCompatibility.accepts(Scalar.DOUBLE, Scalar.LONG)).isTrue();
      assertThat(SignatureCompatibility.accepts(Scalar.DOUBLE, Scalar.FLOAT)).isTrue();
      assertThat(SignatureCompatibility.accepts(Scalar.ANY, Scalar.STRING)).isTrue();
      assertThat(SignatureCompatibility.accepts(Scalar.INTEGER, Scalar.LONG)).isFalse();
      assertThat(SignatureCompatibility.accepts(Scalar.FLOAT, Scalar.LONG)).isFalse();
      assertThat(SignatureCompatibility.accepts(Scalar.STRING, Scalar.LONG)).isFalse();
    }

    @Test
    void nestedTypes_widenInside_andObjectsFollowTheColumnRules() {
      DataType point = new ObjectType(List.of(
          new Property("lat", Scalar.FLOAT, true), new Property("note", Scalar.STRING, false)));
      DataType widerPoint = new ObjectType(List.of(
          new Property("lat", Scalar.DOUBLE, true), new Property("note", Scalar.STRING, false),
          new Property("alt", Scalar.DOUBLE, false)));
      DataType strictPoint = new ObjectType(List.of(
          new Property("lat", Scalar.FLOAT, true), new Property("note", Scalar.STRING, true)));

      assertThat(SignatureCompatibility.accepts(new ArrayType(Scalar.LONG), new ArrayType(Scalar.INTEGER))).isTrue();
      assertThat(SignatureCompatibility.accepts(new DataType.MapType(Scalar.LONG), new DataType.MapType(Scalar.DOUBLE)))
          .isFalse();
      assertThat(SignatureCompatibility.accepts(widerPoint, point)).isTrue();
      assertThat(SignatureCompatibility.accepts(strictPoint, point)).isFalse();
      assertThat(point.describe()).isEqualTo("object{lat: float, note?: string}");
    }

    @Test
    void tensorDtypes_widenAsNumpySafeCasting() {
      assertThat(SignatureCompatibility.acceptsDtype("int64", "int32")).isTrue();
      assertThat(SignatureCompatibility.acceptsDtype("int16", "uint8")).isTrue();
      assertThat(SignatureCompatibility.acceptsDtype("float64", "int32")).isTrue();
      assertThat(SignatureCompatibility.acceptsDtype("float32", "int16")).isTrue();
      assertThat(SignatureCompatibility.acceptsDtype("float32", "int32")).isFalse();
      assertThat(SignatureCompatibility.acceptsDtype("int32", "int64")).isFalse();
      assertThat(SignatureCompatibility.acceptsDtype("uint64", "int8")).isFalse();
      assertThat(SignatureCompatibility.acceptsDtype("str", "object")).isFalse();
    }

    @Test
    void tensorShapes_needTheSameRank_andAVariableDimensionAcceptsAnySize() {
      assertThat(SignatureCompatibility.acceptsShape(List.of(-1L, 28L), List.of(32L, 28L))).isTrue();
      assertThat(SignatureCompatibility.acceptsShape(List.of(32L, 28L), List.of(-1L, 28L))).isFalse();
      assertThat(SignatureCompatibility.acceptsShape(List.of(-1L, 28L, 1L), List.of(-1L, 28L))).isFalse();
    }
  }
}
