/** Streams that follow changes: alias watches and audit followers, woken by commits, run on the worker pool. */
package io.gantry.server.watch;
