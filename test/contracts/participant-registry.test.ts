// ParticipantRegistry: profiles, participant roles, validation, admin-only writes and role history (DESIGN §1, §4).
import { ethers } from "hardhat";
import { expect } from "chai";
import { ZeroHash } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, type Contract, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";
import { ADMIN_ROLE_ID, ROLE_NAMES, roleId } from "../../node/domain/roles";
import { connectAs, deployBorderLedger, receiptOf } from "./fixtures";

const PLATFORM = roleId("PLATFORM");
const CARRIER = roleId("CARRIER");
const BROKER = roleId("BROKER");
const CUSTOMS = roleId("CUSTOMS");
const LOG_OPERATOR = roleId("LOG_OPERATOR");
const UNKNOWN_ROLE = ethers.id("SMUGGLER");

async function participantsFixture() {
  const deployment = await deployBorderLedger();
  const { participants, carrier } = deployment;
  // A registered participant holding two roles, for update and revoke tests.
  await participants.register(carrier.address, "Nordpost Express", "DE", 1, [CARRIER, BROKER]);
  return deployment;
}

/** The RoleRevoked events of a receipt as [role, account, sender] triples. */
function roleRevokedEvents(participants: Contract, receipt: ContractTransactionReceipt) {
  return receipt.logs.flatMap((log) => {
    const parsed = participants.interface.parseLog(log);
    return parsed?.name === "RoleRevoked" ? [[parsed.args[0], parsed.args[1], parsed.args[2]]] : [];
  });
}

describe("ParticipantRegistry", function () {
  describe("deployment", function () {
    it("grants DEFAULT_ADMIN_ROLE to the admin given to the constructor and to no one else", async function () {
      const { participants, admin, platform } = await loadFixture(participantsFixture);
      expect(await participants.hasRole(ADMIN_ROLE_ID, admin.address)).to.equal(true);
      expect(await participants.hasRole(ADMIN_ROLE_ID, platform.address)).to.equal(false);
    });

    it("refuses the zero address as admin", async function () {
      const factory = await ethers.getContractFactory("ParticipantRegistry");
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "ParticipantRegistryZeroAddress").withArgs();
    });

    it("defines every role id as keccak256 of the role's name, as node/domain/roles.ts computes it", async function () {
      const { participants } = await loadFixture(participantsFixture);
      for (const name of ROLE_NAMES) {
        expect(await participants.getFunction(name)()).to.equal(roleId(name), name);
        expect(roleId(name)).to.equal(ethers.keccak256(ethers.toUtf8Bytes(name)), name);
      }
      expect(await participants.DEFAULT_ADMIN_ROLE()).to.equal(ADMIN_ROLE_ID);
    });

    it("makes the admin role the admin of every participant role", async function () {
      const { participants } = await loadFixture(participantsFixture);
      for (const name of ROLE_NAMES) expect(await participants.getRoleAdmin(roleId(name))).to.equal(ADMIN_ROLE_ID, name);
    });

    it("caps the trust tier at 1 (AEO-certified)", async function () {
      const { participants } = await loadFixture(participantsFixture);
      expect(await participants.MAX_TRUST_TIER()).to.equal(1n);
    });
  });

  describe("register", function () {
    it("stores the profile, grants the roles and emits ParticipantRegistered and one RoleGranted per role", async function () {
      const { participants, admin, customsDe } = await loadFixture(participantsFixture);
      const tx = await participants.register(customsDe.address, "Generalzolldirektion", "DE", 1, [CUSTOMS, BROKER]);
      await expect(tx).to.emit(participants, "ParticipantRegistered").withArgs(customsDe.address, "Generalzolldirektion", "DE", 1);
      await expect(tx).to.emit(participants, "RoleGranted").withArgs(CUSTOMS, customsDe.address, admin.address);
      await expect(tx).to.emit(participants, "RoleGranted").withArgs(BROKER, customsDe.address, admin.address);

      const profile = await participants.profileOf(customsDe.address);
      expect([profile.name, profile.country, profile.trustTier, profile.active]).to.deep.equal(["Generalzolldirektion", "DE", 1n, true]);
      expect(await participants.isActive(customsDe.address)).to.equal(true);
      expect(await participants.hasRole(CUSTOMS, customsDe.address)).to.equal(true);
      expect(await participants.hasRole(BROKER, customsDe.address)).to.equal(true);
      expect(await participants.hasRole(PLATFORM, customsDe.address)).to.equal(false);
      expect(await participants.hasRole(ADMIN_ROLE_ID, customsDe.address)).to.equal(false);
    });

    it("registers a participant with a profile and no roles without emitting RoleGranted", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      const tx = await participants.register(platform.address, "Shopwave", "NL", 0, []);
      await expect(tx).to.emit(participants, "ParticipantRegistered").withArgs(platform.address, "Shopwave", "NL", 0);
      await expect(tx).not.to.emit(participants, "RoleGranted");
      expect(await participants.isActive(platform.address)).to.equal(true);
      for (const name of ROLE_NAMES) expect(await participants.hasRole(roleId(name), platform.address)).to.equal(false, name);
    });

    it("accepts a name of exactly 128 bytes, counted in UTF-8 bytes", async function () {
      const { participants, platform, broker } = await loadFixture(participantsFixture);
      await expect(participants.register(platform.address, "x".repeat(128), "FR", 0, [PLATFORM])).not.to.be.reverted;
      // 64 two-byte characters are 128 bytes.
      await expect(participants.register(broker.address, "é".repeat(64), "FR", 0, [BROKER])).not.to.be.reverted;
      expect((await participants.profileOf(broker.address)).name).to.equal("é".repeat(64));
    });

    it("reverts when the account is the zero address", async function () {
      const { participants } = await loadFixture(participantsFixture);
      await expect(participants.register(ZeroAddress, "Nobody", "DE", 0, [PLATFORM]))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryZeroAddress")
        .withArgs();
    });

    it("reverts when the name is empty", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      await expect(participants.register(platform.address, "", "DE", 0, [PLATFORM]))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidName")
        .withArgs("");
    });

    it("reverts when the name is longer than 128 bytes", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      const long = "x".repeat(129);
      await expect(participants.register(platform.address, long, "DE", 0, [PLATFORM]))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidName")
        .withArgs(long);
      // 65 characters, but 130 bytes.
      const wide = "é".repeat(65);
      await expect(participants.register(platform.address, wide, "DE", 0, [PLATFORM]))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidName")
        .withArgs(wide);
    });

    for (const country of ["de", "De", "DEU", "D", "", "D1", "1D", "@A", "A[", "ÄA"]) {
      it(`reverts when the country is ${JSON.stringify(country)}, not two upper-case letters A-Z`, async function () {
        const { participants, platform } = await loadFixture(participantsFixture);
        await expect(participants.register(platform.address, "Shopwave", country, 0, [PLATFORM]))
          .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidCountry")
          .withArgs(country);
      });
    }

    it("reverts when the trust tier is above 1", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      for (const tier of [2, 255]) {
        await expect(participants.register(platform.address, "Shopwave", "NL", tier, [PLATFORM]))
          .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidTrustTier")
          .withArgs(tier);
      }
    });

    it("reverts when the account is already registered", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await expect(participants.register(carrier.address, "Nordpost Express", "DE", 1, [CARRIER]))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryAlreadyRegistered")
        .withArgs(carrier.address);
    });

    it("reverts when one of the roles is not a BorderLedger participant role", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      await expect(participants.register(platform.address, "Shopwave", "NL", 0, [PLATFORM, UNKNOWN_ROLE]))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryUnknownRole")
        .withArgs(UNKNOWN_ROLE);
      expect(await participants.isActive(platform.address)).to.equal(false);
    });

    it("reverts when the roles include the admin role, which is only handed over with grantRole", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      await expect(participants.register(platform.address, "Shopwave", "NL", 0, [PLATFORM, ZeroHash]))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryUnknownRole")
        .withArgs(ZeroHash);
      expect(await participants.hasRole(ZeroHash, platform.address)).to.equal(false);
    });

    it("reverts with AccessControlUnauthorizedAccount when the caller is not the admin", async function () {
      const { participants, carrier, platform } = await loadFixture(participantsFixture);
      await expect(connectAs(participants, carrier).register(platform.address, "Shopwave", "NL", 0, [PLATFORM]))
        .to.be.revertedWithCustomError(participants, "AccessControlUnauthorizedAccount")
        .withArgs(carrier.address, ADMIN_ROLE_ID);
    });

    it("re-registers a revoked account with a new profile and new roles", async function () {
      const { participants, admin, carrier } = await loadFixture(participantsFixture);
      await participants.revoke(carrier.address);
      const tx = await participants.register(carrier.address, "Nordpost Customs Brokerage", "AT", 0, [BROKER]);
      await expect(tx).to.emit(participants, "ParticipantRegistered").withArgs(carrier.address, "Nordpost Customs Brokerage", "AT", 0);
      await expect(tx).to.emit(participants, "RoleGranted").withArgs(BROKER, carrier.address, admin.address);
      const profile = await participants.profileOf(carrier.address);
      expect([profile.name, profile.country, profile.trustTier, profile.active]).to.deep.equal(["Nordpost Customs Brokerage", "AT", 0n, true]);
      expect(await participants.hasRole(BROKER, carrier.address)).to.equal(true);
      expect(await participants.hasRole(CARRIER, carrier.address)).to.equal(false);
    });
  });

  describe("updateProfile", function () {
    it("replaces the profile, keeps the roles and emits ParticipantUpdated", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await expect(participants.updateProfile(carrier.address, "Nordpost Logistics", "AT", 0))
        .to.emit(participants, "ParticipantUpdated")
        .withArgs(carrier.address, "Nordpost Logistics", "AT", 0);
      const profile = await participants.profileOf(carrier.address);
      expect([profile.name, profile.country, profile.trustTier, profile.active]).to.deep.equal(["Nordpost Logistics", "AT", 0n, true]);
      expect(await participants.hasRole(CARRIER, carrier.address)).to.equal(true);
      expect(await participants.hasRole(BROKER, carrier.address)).to.equal(true);
    });

    it("reverts when the account was never registered", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      await expect(participants.updateProfile(platform.address, "Shopwave", "NL", 0))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryNotRegistered")
        .withArgs(platform.address);
    });

    it("reverts when the account has been revoked", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await participants.revoke(carrier.address);
      await expect(participants.updateProfile(carrier.address, "Nordpost Express", "DE", 1))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryNotRegistered")
        .withArgs(carrier.address);
    });

    it("reverts when the new name, country or trust tier is invalid", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await expect(participants.updateProfile(carrier.address, "", "DE", 1))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidName")
        .withArgs("");
      await expect(participants.updateProfile(carrier.address, "y".repeat(129), "DE", 1))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidName")
        .withArgs("y".repeat(129));
      await expect(participants.updateProfile(carrier.address, "Nordpost Express", "deu", 1))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidCountry")
        .withArgs("deu");
      await expect(participants.updateProfile(carrier.address, "Nordpost Express", "DE", 2))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryInvalidTrustTier")
        .withArgs(2);
    });

    it("reverts with AccessControlUnauthorizedAccount when the caller is not the admin", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await expect(connectAs(participants, carrier).updateProfile(carrier.address, "Nordpost Express", "DE", 1))
        .to.be.revertedWithCustomError(participants, "AccessControlUnauthorizedAccount")
        .withArgs(carrier.address, ADMIN_ROLE_ID);
    });
  });

  describe("revoke", function () {
    it("marks the profile inactive, revokes exactly the roles held and emits ParticipantRevoked and RoleRevoked", async function () {
      const { participants, admin, carrier } = await loadFixture(participantsFixture);
      const tx: ContractTransactionResponse = await participants.revoke(carrier.address);
      await expect(tx).to.emit(participants, "ParticipantRevoked").withArgs(carrier.address);
      await expect(tx).to.emit(participants, "RoleRevoked").withArgs(CARRIER, carrier.address, admin.address);
      await expect(tx).to.emit(participants, "RoleRevoked").withArgs(BROKER, carrier.address, admin.address);
      const receipt = await receiptOf(tx);
      expect(roleRevokedEvents(participants, receipt)).to.deep.equal([
        [CARRIER, carrier.address, admin.address],
        [BROKER, carrier.address, admin.address],
      ]);

      expect(await participants.isActive(carrier.address)).to.equal(false);
      const profile = await participants.profileOf(carrier.address);
      expect(profile.active).to.equal(false);
      for (const name of ROLE_NAMES) expect(await participants.hasRole(roleId(name), carrier.address)).to.equal(false, name);
    });

    it("reverts when the account was never registered", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      await expect(participants.revoke(platform.address))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryNotRegistered")
        .withArgs(platform.address);
    });

    it("reverts when the account is revoked a second time", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await participants.revoke(carrier.address);
      await expect(participants.revoke(carrier.address))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryNotRegistered")
        .withArgs(carrier.address);
    });

    it("reverts with AccessControlUnauthorizedAccount when the caller is not the admin", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await expect(connectAs(participants, carrier).revoke(carrier.address))
        .to.be.revertedWithCustomError(participants, "AccessControlUnauthorizedAccount")
        .withArgs(carrier.address, ADMIN_ROLE_ID);
    });
  });

  describe("inherited AccessControl functions", function () {
    it("grants a participant role to a registered participant with grantRole and emits RoleGranted", async function () {
      const { participants, admin, carrier } = await loadFixture(participantsFixture);
      await expect(participants.grantRole(LOG_OPERATOR, carrier.address))
        .to.emit(participants, "RoleGranted")
        .withArgs(LOG_OPERATOR, carrier.address, admin.address);
      expect(await participants.hasRole(LOG_OPERATOR, carrier.address)).to.equal(true);
    });

    it("reverts grantRole of a role that is not a BorderLedger participant role", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await expect(participants.grantRole(UNKNOWN_ROLE, carrier.address))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryUnknownRole")
        .withArgs(UNKNOWN_ROLE);
    });

    it("reverts grantRole to an account that was never registered", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      await expect(participants.grantRole(PLATFORM, platform.address))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryNotRegistered")
        .withArgs(platform.address);
    });

    it("reverts grantRole to an account that has been revoked", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await participants.revoke(carrier.address);
      await expect(participants.grantRole(CARRIER, carrier.address))
        .to.be.revertedWithCustomError(participants, "ParticipantRegistryNotRegistered")
        .withArgs(carrier.address);
    });

    it("lets the admin hand DEFAULT_ADMIN_ROLE to an account without a participant profile", async function () {
      const { participants, admin, others } = await loadFixture(participantsFixture);
      const [successor] = others;
      await expect(participants.grantRole(ADMIN_ROLE_ID, successor.address))
        .to.emit(participants, "RoleGranted")
        .withArgs(ADMIN_ROLE_ID, successor.address, admin.address);
      expect(await participants.hasRole(ADMIN_ROLE_ID, successor.address)).to.equal(true);
    });

    it("reverts grantRole and revokeRole with AccessControlUnauthorizedAccount when the caller is not the admin", async function () {
      const { participants, carrier, platform } = await loadFixture(participantsFixture);
      await expect(connectAs(participants, carrier).grantRole(PLATFORM, carrier.address))
        .to.be.revertedWithCustomError(participants, "AccessControlUnauthorizedAccount")
        .withArgs(carrier.address, ADMIN_ROLE_ID);
      await expect(connectAs(participants, platform).revokeRole(CARRIER, carrier.address))
        .to.be.revertedWithCustomError(participants, "AccessControlUnauthorizedAccount")
        .withArgs(platform.address, ADMIN_ROLE_ID);
    });

    it("revokes one role with revokeRole and emits RoleRevoked, leaving the profile active", async function () {
      const { participants, admin, carrier } = await loadFixture(participantsFixture);
      await expect(participants.revokeRole(BROKER, carrier.address)).to.emit(participants, "RoleRevoked").withArgs(BROKER, carrier.address, admin.address);
      expect(await participants.hasRole(BROKER, carrier.address)).to.equal(false);
      expect(await participants.hasRole(CARRIER, carrier.address)).to.equal(true);
      expect(await participants.isActive(carrier.address)).to.equal(true);
    });

    it("lets a participant renounce its own role and emits RoleRevoked with itself as sender", async function () {
      const { participants, carrier } = await loadFixture(participantsFixture);
      await expect(connectAs(participants, carrier).renounceRole(BROKER, carrier.address))
        .to.emit(participants, "RoleRevoked")
        .withArgs(BROKER, carrier.address, carrier.address);
      expect(await participants.hasRole(BROKER, carrier.address)).to.equal(false);
    });

    it("reverts renounceRole with AccessControlBadConfirmation when the confirmation is not the caller", async function () {
      const { participants, admin, carrier } = await loadFixture(participantsFixture);
      await expect(participants.renounceRole(BROKER, carrier.address)).to.be.revertedWithCustomError(participants, "AccessControlBadConfirmation").withArgs();
      expect(await participants.hasRole(BROKER, carrier.address)).to.equal(true);
      expect(await participants.hasRole(ADMIN_ROLE_ID, admin.address)).to.equal(true);
    });
  });

  describe("history", function () {
    it("answers hasRole at a past block with the roles held then", async function () {
      const { participants, platform } = await loadFixture(participantsFixture);
      const before = await ethers.provider.getBlockNumber();
      const registered = (await receiptOf(await participants.register(platform.address, "Shopwave", "NL", 0, [PLATFORM]))).blockNumber;
      const revoked = (await receiptOf(await participants.revoke(platform.address))).blockNumber;

      expect(await participants.hasRole(PLATFORM, platform.address, { blockTag: before })).to.equal(false);
      expect(await participants.hasRole(PLATFORM, platform.address, { blockTag: registered })).to.equal(true);
      expect(await participants.hasRole(PLATFORM, platform.address, { blockTag: revoked - 1 })).to.equal(true);
      expect(await participants.hasRole(PLATFORM, platform.address, { blockTag: revoked })).to.equal(false);
      expect(await participants.hasRole(PLATFORM, platform.address)).to.equal(false);
      expect((await participants.profileOf(platform.address, { blockTag: registered })).active).to.equal(true);
    });
  });

  describe("readers", function () {
    it("returns an empty, inactive profile for an account that was never registered", async function () {
      const { participants, others } = await loadFixture(participantsFixture);
      const profile = await participants.profileOf(others[0].address);
      expect([profile.name, profile.country, profile.trustTier, profile.active]).to.deep.equal(["", "", 0n, false]);
      expect(await participants.isActive(others[0].address)).to.equal(false);
    });

    it("advertises the IAccessControl and ERC-165 interfaces", async function () {
      const { participants } = await loadFixture(participantsFixture);
      expect(await participants.supportsInterface("0x7965db0b")).to.equal(true);
      expect(await participants.supportsInterface("0x01ffc9a7")).to.equal(true);
      expect(await participants.supportsInterface("0xffffffff")).to.equal(false);
    });
  });
});
