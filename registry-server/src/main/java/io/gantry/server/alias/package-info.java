/** Aliases as read: resolving one to its version, now or at an instant, and the history of its moves. */
package io.gantry.server.alias;
