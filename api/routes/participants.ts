// GET /v1/participants/{address}: a participant's profile and roles, as ParticipantRegistry holds them.
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { checksumAddress } from "../../node/domain/signature";
import type { ApiContext } from "../context";

export function participantRoutes(ctx: ApiContext): Hono {
  return new Hono().get("/participants/:address", async (c) => {
    const address = c.req.param("address");
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new BorderLedgerError("VALIDATION_FAILED", "address: must be 0x and 40 hex digits");
    const participant = await ctx.node.participant(address);
    if (!participant) throw new BorderLedgerError("NOT_FOUND", `${address} is not a participant`);
    return c.json({
      address: checksumAddress(address),
      name: participant.name,
      country: participant.country,
      trustTier: participant.trustTier,
      active: participant.active,
      roles: [...participant.roles],
    });
  });
}
