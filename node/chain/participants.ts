// Registering participants in ParticipantRegistry and reading back who holds which role.
import { ADMIN_ROLE_ID, ROLE_NAMES, roleId, type RoleName } from "../domain/roles";
import type { ContractHandle } from "./contracts";
import { SETUP_TX_TIMEOUT_MS } from "./rpc-provider";

export type ParticipantRegistration = {
  address: string;
  name: string;
  country: string;
  trustTier: number;
  roles: RoleName[];
};

/**
 * Registers each participant that is not already active, in the given order, waiting for each transaction.
 * `participantRegistry` must be connected to the admin. Returns how many were newly registered.
 */
export async function registerParticipants({
  participantRegistry,
  participants,
  timeoutMs = SETUP_TX_TIMEOUT_MS,
}: {
  participantRegistry: ContractHandle<"ParticipantRegistry">;
  participants: readonly ParticipantRegistration[];
  /** How long each registration may take to be mined. */
  timeoutMs?: number;
}): Promise<number> {
  let registered = 0;
  for (const p of participants) {
    if (await participantRegistry.isActive(p.address)) continue;
    const tx = await participantRegistry.register(p.address, p.name, p.country, p.trustTier, p.roles.map(roleId));
    await tx.wait(1, timeoutMs);
    registered++;
  }
  return registered;
}

/** The roles `address` holds now: "ADMIN" (DEFAULT_ADMIN_ROLE) first, then participant roles in ROLE_NAMES order. */
export async function rolesOf({
  participantRegistry,
  address,
}: {
  participantRegistry: ContractHandle<"ParticipantRegistry">;
  address: string;
}): Promise<("ADMIN" | RoleName)[]> {
  const ids = [ADMIN_ROLE_ID, ...ROLE_NAMES.map(roleId)];
  const held = await Promise.all(ids.map((role) => participantRegistry.hasRole(role, address) as Promise<boolean>));
  return (["ADMIN", ...ROLE_NAMES] as const).filter((_, i) => held[i]);
}
