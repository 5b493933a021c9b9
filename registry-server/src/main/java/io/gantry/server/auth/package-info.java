/** Identity: who a call runs for, proven by an API token, a JWT, a client certificate, a web session or a header. */
package io.gantry.server.auth;
