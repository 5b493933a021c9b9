/** How the registry names failures: domain error codes, invalid request fields, unexpected failures' ids. */
package io.gantry.server.error;
