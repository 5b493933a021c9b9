package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.gantry.v1.ColSpec;
import io.gantry.v1.DatasetMetrics;
import io.gantry.v1.Dependencies;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.MlModel;
import io.gantry.v1.ModelSignature;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.Requirement;
import io.gantry.v1.Schema;
import io.gantry.v1.TensorSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class VersionViewTest {

  private static final ModelVersion VERSION = ModelVersion.newBuilder()
      .setName("models/wine/versions/3")
      .setVersion(3)
      .setStatus(ModelVersionStatus.MODEL_VERSION_STATUS_READY)
      .setDescription("Elastic net,\nalpha 0.5")
      .putTags("git_commit", "abc123")
      .setMlmodel(MlModel.newBuilder()
          .setMlflowVersion("2.13.1")
          .putFlavors("sklearn", com.google.protobuf.Struct.getDefaultInstance())
          .putFlavors("python_function", com.google.protobuf.Struct.getDefaultInstance())
          .setSignature(ModelSignature.newBuilder()
              .setInputs(Schema.newBuilder().addColumns(ColSpec.getDefaultInstance()).addColumns(ColSpec.getDefaultInstance()))
              .setOutputs(Schema.newBuilder().addTensors(TensorSpec.newBuilder().setDtype("float64").addShape(-1)))))
      .setDependencies(Dependencies.newBuilder()
          .addRequirements(Requirement.newBuilder().setText("mlflow==2.13.1"))
          .addRequirements(Requirement.newBuilder().setText("scikit-learn>=1.4")))
      .putMetrics("holdout", DatasetMetrics.newBuilder().setDatasetDigest("sha256:0f1e").putMetrics("rmse", 0.71).build())
      .setCreateTime(Timestamp.newBuilder().setSeconds(1_718_000_000).setNanos(5))
      .setCreatedBy("alice")
      .build();

  @Test
  void aVersionIsAnAlignedKeyValueBlockWithoutUnsetFields() {
    assertThat(print(Printer.Format.table, printer -> VersionView.version(printer, VERSION))).isEqualTo("""
        name                     models/wine/versions/3
        version                  3
        status                   READY
        description              Elastic net,
                                 alpha 0.5
        tags.git_commit          abc123
        mlflow_version           2.13.1
        flavors                  python_function, sklearn
        signature.inputs         2 columns
        signature.outputs        1 tensor
        requirements             mlflow==2.13.1, scikit-learn>=1.4
        datasets.holdout.digest  sha256:0f1e
        metrics.holdout.rmse     0.71
        created                  2024-06-10T06:13:20Z by alice
        """);
  }

  @Test
  void aListIsATableWithOneLinePerRow() {
    ListModelVersionsResponse page = ListModelVersionsResponse.newBuilder()
        .addModelVersions(VERSION)
        .addModelVersions(ModelVersion.newBuilder().setName("models/taxi-fare/versions/12").setVersion(12)
            .setStatus(ModelVersionStatus.MODEL_VERSION_STATUS_ARCHIVED))
        .setNextPageToken("abc")
        .build();

    assertThat(print(Printer.Format.table, printer -> VersionView.versions(printer, page))).isEqualTo("""
        MODEL      VERSION  STATUS    CREATED               CREATED_BY  DESCRIPTION
        wine       3        READY     2024-06-10T06:13:20Z  alice       Elastic net, …
        taxi-fare  12       ARCHIVED
        more: --page-token abc  (or --all)
        """);
  }

  @Test
  void jsonIsTheCliContract_readableBackIntoTheResponse() throws Exception {
    String json = print(Printer.Format.json, printer -> VersionView.version(printer, VERSION));

    assertThat(CliResult.json(ModelVersion.getDefaultInstance(), json)).isEqualTo(VERSION);
    assertThat(json).contains("\"version\": 3,", "\"status\": \"READY\"", "\"mlflow==2.13.1\"",
        "\"scikit-learn>=1.4\"", "\"createTime\": \"2024-06-10T06:13:20.000000005Z\"");
  }

  private static String print(Printer.Format format, Consumer<Printer> printing) {
    StringWriter out = new StringWriter();
    printing.accept(new Printer(new PrintWriter(out, true), format));
    return out.toString();
  }
}
