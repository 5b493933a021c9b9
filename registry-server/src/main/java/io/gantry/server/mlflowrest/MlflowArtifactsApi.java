package io.gantry.server.mlflowrest;

import io.gantry.server.ops.HttpCall;
import io.gantry.server.ops.HttpRoute;
import io.gantry.server.ops.QueryString;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.server.mlflowrest.MlflowHttp.Calls;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.DownloadArtifactRequest;
import io.gantry.v1.DownloadArtifactResponse;
import io.gantry.v1.ListArtifactsRequest;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The read side of MLflow's artifact proxy ({@code /api/2.0/mlflow-artifacts/artifacts/...}), for the files Gantry
 * stores: {@code get-download-uri} answers {@code mlflow-artifacts://HOST/models/NAME/versions/N} for such a version,
 * and MLflow's client lists and downloads from here, so {@code mlflow.pyfunc.load_model("models:/NAME@ALIAS")} gets
 * the bytes Gantry checked against their digests (a file that no longer matches is never sent). Uploads go through
 * Gantry's own protocol ({@code gantry versions register}); PUT is refused.
 */
public final class MlflowArtifactsApi implements HttpRoute {

  public static final String PREFIX = "/api/2.0/mlflow-artifacts/artifacts";
  private static final Pattern VERSION = Pattern.compile("/?models/([^/]+)/versions/([0-9]+)(?:/(.*))?");

  private final Channel channel;
  private final boolean headerIdentity;

  /** As {@link MlflowRestApi}: an in-process channel, and whether the loopback default names callers. */
  public MlflowArtifactsApi(Channel channel, boolean headerIdentity) {
    this.channel = channel;
    this.headerIdentity = headerIdentity;
  }

  /** The URI MLflow's clients download a Gantry-stored version from, through the host they reached. */
  static String uri(String host, String model, long version) {
    return "mlflow-artifacts://" + host + "/models/" + model + "/versions/" + version;
  }

  @Override
  public void handle(HttpCall call) throws IOException {
    try {
      if (!call.method().equals("GET")) {
        throw new MlflowError(405, "BAD_REQUEST", "Gantry's artifact proxy is read-only: upload a version's files "
            + "with gantry versions register");
      }
      Calls calls = new Calls(channel, MlflowHttp.credentials(call, headerIdentity));
      String path = URLDecoder.decode(call.rawPath().substring(PREFIX.length()), StandardCharsets.UTF_8);
      if (path.isEmpty() || path.equals("/")) {
        list(call, calls, QueryString.first(QueryString.parse(call.rawQuery()), "path"));
      } else {
        download(call, calls, path);
      }
    } catch (StatusRuntimeException e) {
      MlflowError error = MlflowError.of(e);
      MlflowHttp.respond(call, error.httpStatus, MlflowHttp.error(error));
    } catch (MlflowError e) {
      MlflowHttp.respond(call, e.httpStatus, MlflowHttp.error(e));
    }
  }

  /**
   * MLflow's list: the files and directories directly under {@code path}, each by its base name, as MLflow's
   * {@code _list_artifacts_mlflow_artifacts} answers (its client joins the listed folder with each name).
   */
  private static void list(HttpCall call, Calls calls, String path) throws IOException {
    Matcher m = version(path);
    String dir = m.group(3) == null ? "" : trimSlashes(m.group(3));
    ArtifactManifest manifest = calls.artifacts().listArtifacts(ListArtifactsRequest.newBuilder()
        .setVersion("models/" + m.group(1) + "/versions/" + m.group(2)).build());
    Map<String, ArtifactFile> files = new TreeMap<>();
    Map<String, Boolean> dirs = new TreeMap<>();
    String prefix = dir.isEmpty() ? "" : dir + "/";
    for (ArtifactFile file : manifest.getFilesList()) {
      if (!file.getPath().startsWith(prefix)) {
        continue;
      }
      String rest = file.getPath().substring(prefix.length());
      int slash = rest.indexOf('/');
      if (slash < 0) {
        files.put(rest, file);
      } else {
        dirs.put(rest.substring(0, slash), true);
      }
    }
    ObjectNode json = MlflowMessages.JSON.objectNode();
    ArrayNode list = json.putArray("files");
    dirs.keySet().forEach(name -> list.addObject().put("path", name).put("is_dir", true));
    files.forEach((name, file) -> list.addObject().put("path", name).put("is_dir", false)
        .put("file_size", file.getSize()));
    MlflowHttp.respond(call, 200, json);
  }

  private static void download(HttpCall call, Calls calls, String path) throws IOException {
    Matcher m = version(path);
    if (m.group(3) == null || trimSlashes(m.group(3)).isEmpty()) {
      throw MlflowError.invalid("name a file under models/NAME/versions/N/, or list with ?path=");
    }
    Iterator<DownloadArtifactResponse> parts = calls.artifacts().downloadArtifact(DownloadArtifactRequest.newBuilder()
        .setVersion("models/" + m.group(1) + "/versions/" + m.group(2)).setPath(trimSlashes(m.group(3))).build());
    // the first part names the file, or the call fails before anything is sent
    DownloadArtifactResponse first = parts.next();
    call.setHeader("Content-Type", "application/octet-stream");
    try (OutputStream out = call.respondStreaming(200, first.hasFile() ? first.getFile().getSize() : 0)) {
      if (first.hasChunk()) {
        first.getChunk().writeTo(out);
      }
      // a failure from here on (a blob found corrupt while streaming) cuts the response short: the client sees
      // fewer bytes than announced, never wrong ones
      while (parts.hasNext()) {
        parts.next().getChunk().writeTo(out);
      }
    }
  }

  private static Matcher version(String path) {
    Matcher m = VERSION.matcher(path);
    if (!m.matches()) {
      throw MlflowError.notFound("'" + path + "' is not under models/NAME/versions/N (Gantry serves the files of "
          + "the versions it stores)");
    }
    return m;
  }

  private static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

}
