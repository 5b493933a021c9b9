package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.sizeCell;
import static io.gantry.client.cli.Cells.time;

import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.DownloadUrl;
import io.gantry.v1.ModelVersion;

/** How {@code gantry artifacts} shows a version's files and a download URL. */
final class ArtifactView {

  private ArtifactView() {
  }

  /**
   * The files of a version: where it stands and its manifest digest, then one row per file. JSON: the manifest.
   * A version whose files are not managed shows none, and its source.
   */
  static void manifest(Printer printer, ModelVersion version, ArtifactManifest manifest) {
    printer.print(manifest, out -> {
      new TextTable()
          .row("version", version.getName())
          .row("status", VersionView.status(version.getStatus()))
          .row("manifest_digest", manifest.getManifestDigest().isEmpty()
              ? "none: " + (version.getManagedArtifacts() ? "not finalized" : "its files are not in the registry")
              : manifest.getManifestDigest())
          .field("source", version.getManagedArtifacts() ? "" : version.getSource())
          .row("files", Integer.toString(manifest.getFilesCount()))
          .row("total_size", sizeCell(manifest.getTotalSize()))
          .print(out);
      if (manifest.getFilesCount() > 0) {
        TextTable table = new TextTable().row("PATH", "SIZE", "SHA256");
        for (ArtifactFile file : manifest.getFilesList()) {
          table.row(file.getPath(), Long.toString(file.getSize()), file.getSha256());
        }
        out.println();
        table.print(out);
      }
    });
  }

  static void downloadUrl(Printer printer, DownloadUrl url) {
    printer.printTable(url, () -> new TextTable()
        .row("url", url.getUrl())
        .row("expires", time(url.getExpireTime()))
        .row("path", url.getFile().getPath())
        .row("size", sizeCell(url.getFile().getSize()))
        .row("sha256", url.getFile().getSha256()));
  }
}
