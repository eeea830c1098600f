"""The gender a person's name, title or role noun gives, so that "she said" does not resolve to a man.
Name lists are short and US/UK-centred on purpose: a first name that is used for both (Terry, Jean,
Kelly) gives no gender, and a name with no gender is compatible with any pronoun."""
from __future__ import annotations

EITHER = frozenset("terry jean kelly jordan leslie dana robin alexis morgan taylor casey jamie".split())
FEMALE = frozenset("""
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa margaret betty sandra
ashley dorothy kimberly emily donna michelle carol amanda melissa deborah stephanie rebecca laura sharon
cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra
rachel catherine carolyn janet ruth maria heather diane virginia julie joyce victoria olivia kelly christina
lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn
sara janice jean alice madison doris abigail julia judy grace denise amber marilyn beverly danielle theresa
sophia marie diana brittany natalie isabella charlotte rose alexis kayla hillary ivanka melania kellyanne
michele huma chelsea loretta condoleezza madeleine hope sheila elaine nikki marine theresa angela jill
claire tammy kamala kirsten amy debbie janet ruth sonia ursula christine federica valerie donna susan
jane ada maria ida femke elena
""".split()) - EITHER
MALE = frozenset("""
james robert john michael david william richard joseph thomas charles christopher daniel matthew anthony
mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan
jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander
frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle
walter ethan jeremy harold keith christian roger noah gerald carl terry sean austin arthur lawrence jesse
dylan bryan joe jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph randy eugene
vincent russell elijah louis bobby philip johnny barack bill bernie tim mike mitch chris jeb ted marco
rand vladimir bashar recep xi shinzo francois emmanuel boris tony gordon jeremy nigel howard rudy newt
reince sean corey jared steve kellyanne rex jim tom jon harry lindsey orrin chuck dick al joe pete ben
dan ron greg herman rick mitt tommy tomas jonas kell hugo
brian josh brandon jeff luke max sam nick ian colin neil martin carlos luis antonin norman carter
mohammed muhammad ahmed ali omar hassan kim jong vladimir
""".split()) - {"kellyanne"} - EITHER
TITLES = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f"}
GENDERED_NOUNS = {**{w: "f" for w in "widow mother wife daughter sister spokeswoman chairwoman congresswoman "
                      "businesswoman actress grandmother woman girl aunt niece councilwoman".split()},
                  **{w: "m" for w in "widower father husband son brother spokesman chairman congressman "
                      "businessman actor grandfather man boy uncle nephew councilman".split()}}
PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}


def nearby(ent) -> str | None:
    """The gender the words around a name give: a title ("Mrs."), a role noun before it ("9/11 widow
    Terry Strada") or in apposition ("Terry Strada, a mother of two")."""
    doc = ent.doc
    before = doc[ent.start - 1].lower_ if ent.start else ""
    if before in TITLES:
        return TITLES[before]
    if len(ent) < 2:  # a surname alone may stand for several people ("Clinton")
        return None
    after = [t.lower_ for t in doc[ent.end + 1:ent.end + 4]] if ent.end < len(doc) and doc[ent.end].text == "," else []
    for word in [before] + after:
        if word in GENDERED_NOUNS:
            return GENDERED_NOUNS[word]
    return None


def of_name(words: list[str]) -> str | None:
    first = words[0].lower() if words else ""
    return "f" if first in FEMALE else "m" if first in MALE else None
