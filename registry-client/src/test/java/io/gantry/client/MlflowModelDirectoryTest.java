package io.gantry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.v1.MlflowFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowModelDirectoryTest {

  private static final Path FIXTURE = TestFixtures.mlflowModelDirectory();

  @Test
  void readsEveryMetadataFileAsWritten() throws Exception {
    MlflowFiles files = MlflowModelDirectory.read(FIXTURE);

    assertThat(files.getMlmodel()).isEqualTo(Files.readString(FIXTURE.resolve("MLmodel")));
    assertThat(files.getRequirementsTxt()).isEqualTo("mlflow==2.8.1\ncloudpickle==2.2.1\n");
    assertThat(files.getCondaYaml()).contains("- mlflow==2.8.1");
    assertThat(files.getPythonEnvYaml()).startsWith("python: 3.9.13");
  }

  @Test
  void theEnvironmentFilesAreOptional(@TempDir Path directory) throws Exception {
    Files.writeString(directory.resolve("MLmodel"), "flavors: {}\n");

    MlflowFiles files = MlflowModelDirectory.read(directory);

    assertThat(files.getMlmodel()).isEqualTo("flavors: {}\n");
    assertThat(files.getRequirementsTxt()).isEmpty();
    assertThat(files.getCondaYaml()).isEmpty();
    assertThat(files.getPythonEnvYaml()).isEmpty();
  }

  @Test
  void refusesADirectoryWithoutMlmodel(@TempDir Path directory) {
    assertThatThrownBy(() -> MlflowModelDirectory.read(directory))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no MLmodel file in " + directory);
  }

  @Test
  void refusesAFileThatIsNotText(@TempDir Path directory) throws Exception {
    Files.writeString(directory.resolve("MLmodel"), "flavors: {}\n");
    Files.write(directory.resolve("conda.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});

    assertThatThrownBy(() -> MlflowModelDirectory.read(directory))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(directory.resolve("conda.yaml") + " is not UTF-8 text");
  }

  @Test
  void refusesAMissingDirectory(@TempDir Path parent) {
    assertThatThrownBy(() -> MlflowModelDirectory.read(parent.resolve("absent")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a directory");
  }
}
