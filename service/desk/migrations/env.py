"""Alembic environment: runs on the connection `database.migrate` passes in, or on a URL (`alembic -x url=...`)."""

from alembic import context
from sqlalchemy import create_engine

from service.desk.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    connection = create_engine(context.get_x_argument(as_dictionary=True)["url"]).connect()
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
