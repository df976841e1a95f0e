//! Dense groupings built once per register: spells per person, persons per family.
//! Counting sorts, O(n); what every per-citizen or per-family loop starts from.

use crate::person::{Identity, PersonRecord};
use crate::register::{PersonIx, Register, Spell};
use std::collections::HashMap;

/// Spells grouped by person (compressed rows: `offsets[p]..offsets[p+1]` into `order`).
#[derive(Debug, Clone)]
pub struct PersonSpells {
    offsets: Vec<u32>,
    order: Vec<u32>,
}

impl PersonSpells {
    pub fn build(spells: &[Spell], persons: usize) -> PersonSpells {
        let mut offsets = vec![0u32; persons + 1];
        for s in spells {
            offsets[s.person.0 as usize + 1] += 1;
        }
        for i in 0..persons {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut order = vec![0u32; spells.len()];
        for (i, s) in spells.iter().enumerate() {
            let slot = &mut next[s.person.0 as usize];
            order[*slot as usize] = i as u32;
            *slot += 1;
        }
        PersonSpells { offsets, order }
    }

    /// Indices into the register's `spells` of this person's spells, in input order.
    pub fn of(&self, p: PersonIx) -> &[u32] {
        let i = p.0 as usize;
        &self.order[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    pub fn persons(&self) -> usize {
        self.offsets.len() - 1
    }
}

/// Index into [`Families`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FamilyIx(pub u32);

/// Persons grouped by their family key, families numbered in order of first appearance.
#[derive(Debug, Clone)]
pub struct Families {
    of_person: Vec<FamilyIx>,
    offsets: Vec<u32>,
    members: Vec<PersonIx>,
}

impl Families {
    pub fn build<I: Identity>(register: &Register<I>) -> Families {
        let mut ids: HashMap<&<I::Person as PersonRecord>::Family, u32> =
            HashMap::with_capacity(register.persons.len() / 2);
        let of_person: Vec<FamilyIx> = register
            .persons
            .iter()
            .map(|p| {
                let n = ids.len() as u32;
                FamilyIx(*ids.entry(p.family()).or_insert(n))
            })
            .collect();
        let families = ids.len();
        let mut offsets = vec![0u32; families + 1];
        for f in &of_person {
            offsets[f.0 as usize + 1] += 1;
        }
        for i in 0..families {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut members = vec![PersonIx(0); of_person.len()];
        for (p, f) in of_person.iter().enumerate() {
            let slot = &mut next[f.0 as usize];
            members[*slot as usize] = PersonIx(p as u32);
            *slot += 1;
        }
        Families {
            of_person,
            offsets,
            members,
        }
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn of(&self, p: PersonIx) -> FamilyIx {
        self.of_person[p.0 as usize]
    }

    pub fn members(&self, f: FamilyIx) -> &[PersonIx] {
        let i = f.0 as usize;
        &self.members[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContactIx, NaiveDate, Quantity, ServiceIx};

    #[test]
    fn groups_spells_by_person() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let spell = |p| Spell {
            person: PersonIx(p),
            service: ServiceIx(0),
            start: d,
            end: None,
            volume: Quantity::ONE,
            contact: Some(ContactIx(0)),
        };
        let spells = vec![spell(2), spell(0), spell(2)];
        let idx = PersonSpells::build(&spells, 4);
        assert_eq!(idx.of(PersonIx(0)), &[1]);
        assert_eq!(idx.of(PersonIx(1)), &[] as &[u32]);
        assert_eq!(idx.of(PersonIx(2)), &[0, 2]);
        assert_eq!(idx.of(PersonIx(3)), &[] as &[u32]);
    }
}
