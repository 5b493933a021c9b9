/** Who may do what: role bindings, API tokens, the permission every RPC needs, and the audit of refusals. */
package io.gantry.server.access;
