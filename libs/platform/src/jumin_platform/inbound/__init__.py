"""An adapter's inbound side: notifications from an external system become registry commands.

`poller.NotificationPoller` (fetch after the cursor, publish with confirms, record, move the
cursor), `publisher.CommandPublisher` (to `jumin.commands`), `store.InboundStore` and
`schema.inbound_ddl` (the cursor and the record of what was taken in, in the adapter's schema),
`notifications` (the feed's items, pure: a service's domain may import it) and `api` (the
operator's view). Used by cs_adapter and koseki_adapter.
"""
