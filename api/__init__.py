"""Every way into gridpatrol: the command line (and later the REST service, storage, jobs)."""
