package io.gantry.client.cli;

import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The run the build records the CLI's class-data sharing archive from ({@code gantry.jsa}, which {@code bin/gantry}
 * starts with): a resolve, as a pipeline calls it, against a stand-in server in this process, so that the archive
 * holds the classes of picocli, the channel, protobuf and printing that a real call loads.
 */
final class CdsTraining {

  private CdsTraining() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    Server server = NettyServerBuilder.forAddress(loopback, InsecureServerCredentials.create())
        .addService(new ModelRegistryGrpc.ModelRegistryImplBase() {
          @Override
          public void resolveAlias(ResolveAliasRequest request, StreamObserver<ModelVersion> response) {
            response.onNext(ModelVersion.newBuilder().setName("models/training/versions/1").setVersion(1)
                .setStatus(ModelVersionStatus.MODEL_VERSION_STATUS_READY).build());
            response.onCompleted();
          }
        })
        .build().start();
    try {
      String target = loopback.getAddress().getHostAddress() + ":" + server.getPort();
      PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
      for (String format : new String[] {"table", "json"}) {
        int exitCode = GantryCli.run(new String[] {"resolve", "models:/training@champion", "-o", format}, discard,
            discard, Map.of("GANTRY_TARGET", target));
        if (exitCode != GantryCli.EXIT_OK) {
          throw new IllegalStateException("the training resolve failed with exit code " + exitCode);
        }
      }
    } finally {
      server.shutdownNow().awaitTermination();
    }
  }
}
