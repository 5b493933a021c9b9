package io.gantry.server.wire;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC transport's event loops, sized by {@code GANTRY_NETWORK_THREADS} rather than Netty's twice the cores:
 * cache hits run on them, and more loops than the cores left over only contend (docs/BENCHMARKS.md). Native epoll
 * where the platform has it, as grpc-java's default would choose.
 */
public final class NetworkThreads implements AutoCloseable {

  private final EventLoopGroup acceptor;
  private final EventLoopGroup loops;
  private final Class<? extends ServerChannel> channelType;

  private NetworkThreads(EventLoopGroup acceptor, EventLoopGroup loops, Class<? extends ServerChannel> channelType) {
    this.acceptor = acceptor;
    this.loops = loops;
    this.channelType = channelType;
  }

  public static NetworkThreads start(int threads) {
    if (Epoll.isAvailable()) {
      return new NetworkThreads(new EpollEventLoopGroup(1, new DefaultThreadFactory("gantry-accept", true)),
          new EpollEventLoopGroup(threads, new DefaultThreadFactory("gantry-network", true)),
          EpollServerSocketChannel.class);
    }
    return new NetworkThreads(new NioEventLoopGroup(1, new DefaultThreadFactory("gantry-accept", true)),
        new NioEventLoopGroup(threads, new DefaultThreadFactory("gantry-network", true)),
        NioServerSocketChannel.class);
  }

  public NettyServerBuilder configure(NettyServerBuilder builder) {
    return builder.bossEventLoopGroup(acceptor).workerEventLoopGroup(loops).channelType(channelType);
  }

  /** After the server has terminated: nothing is left on the loops to wait for. */
  @Override
  public void close() {
    acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
