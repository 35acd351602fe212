"""Calls each orchestrator.v1 service once over the daemon's Unix socket on a channel with
default options, then lists the services through Python's stock reflection client
(grpc.reflection.v1alpha). Prints one `key: value` line per check.

Usage: every_service.py SOCKET STUBS_DIR
"""

import sys

import grpc

socket, stubs = sys.argv[1], sys.argv[2]
sys.path.insert(0, stubs)

from google.protobuf import descriptor_pool  # noqa: E402
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (  # noqa: E402
    ProtoReflectionDescriptorDatabase,
)
from orchestrator.v1 import (  # noqa: E402
    charter_pb2,
    charter_pb2_grpc,
    daemon_pb2,
    daemon_pb2_grpc,
    memory_pb2,
    memory_pb2_grpc,
    sessions_pb2,
    sessions_pb2_grpc,
)

channel = grpc.insecure_channel("unix:" + socket)

status = daemon_pb2_grpc.DaemonStub(channel).GetStatus(daemon_pb2.GetStatusRequest())
print("Daemon.GetStatus:", daemon_pb2.DaemonState.Name(status.state), status.pid)

sessions = sessions_pb2_grpc.SessionsStub(channel).List(sessions_pb2.ListSessionsRequest())
print("Sessions.List:", sessions.total)

memory = memory_pb2_grpc.MemoryStub(channel)
memory.Add(
    memory_pb2.AddMemoryRequest(tier="semantic", content="python reaches the memory service")
)
stats = memory.Stats(memory_pb2.MemoryStatsRequest())
print("Memory.Stats:", stats.semantic)

charter = charter_pb2_grpc.CharterStub(channel)
info = charter.Show(charter_pb2.ShowCharterRequest())
print("Charter.Show:", "json" if info.charter_json.startswith("{") else repr(info.charter_json))
audit = charter.ListAudit(charter_pb2.ListAuditRequest(limit=10))
print("Charter.ListAudit:", len(audit.entries))

reflection = ProtoReflectionDescriptorDatabase(channel)
print("reflection.services:", ",".join(sorted(reflection.get_services())))
pool = descriptor_pool.DescriptorPool(reflection)
methods = pool.FindServiceByName("orchestrator.v1.Memory").methods_by_name
print("reflection.Memory:", ",".join(sorted(methods)))

