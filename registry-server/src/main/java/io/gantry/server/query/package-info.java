/** List calls: the filter language, ordering, keyset pages and sealed page tokens, as jOOQ conditions. */
package io.gantry.server.query;
